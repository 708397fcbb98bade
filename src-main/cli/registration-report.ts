// Prints registration state changes as CLI events and decides which failures are worth retrying.
import type { RegistrationState, UserAgent } from '../sip/user-agent-api';
import type { CliEvent, EmitFn } from './cli-events';

/**
 * A failure that retrying cannot fix: the registrar rejected us (wrong password, unknown user, forbidden).
 * Timeouts, 408, 429, 5xx and network errors may pass, so `listen` retries those (RFC 3261 §10.2.1 leaves
 * retry policy to the UA; RFC 5626 §4.5 suggests exponential back-off).
 */
export function isPermanentFailure(state: Extract<RegistrationState, { state: 'failed' }>): boolean {
  const s = state.status;
  if (s === undefined) return false;
  if (s >= 600) return true;
  return s >= 400 && s < 500 && s !== 408 && s !== 429;
}

/** Seconds before retry number `attempt` (1-based): 5, 10, 20, 40, ... capped at 300. */
export function retryDelaySeconds(attempt: number): number {
  return Math.min(300, 5 * 2 ** Math.max(0, attempt - 1));
}

export function registrationEvent(state: RegistrationState, retryInSeconds?: number): CliEvent | null {
  switch (state.state) {
    case 'registering':
      return { event: 'registering' };
    case 'registered':
      return { event: 'registered', expires: state.expires, contact: state.contact };
    case 'failed':
      return { event: 'registration_failed', reason: state.reason, status: state.status, retryInSeconds };
    case 'unregistered':
      return { event: 'unregistered' };
  }
}

/**
 * Emits each registration change once (refreshes that change nothing stay quiet). Failures are passed
 * to `onFailed`, which emits them itself with its retry decision.
 */
export class RegistrationReporter {
  private last = '';
  private sawAny = false;
  private readonly off: () => void;

  constructor(
    ua: UserAgent,
    private readonly emit: EmitFn,
    private readonly onFailed: (state: Extract<RegistrationState, { state: 'failed' }>) => void,
  ) {
    this.off = ua.on('registration', (s) => this.report(s));
  }

  /** Before each register() call: the same failure again is news in a new attempt. */
  newAttempt(): void {
    this.last = '';
  }

  /** Also called with register()'s result, in case the user agent resolved without emitting. */
  report(state: RegistrationState): void {
    const key = JSON.stringify(state);
    if (key === this.last) return;
    // The user agent starts out 'unregistered': that is not news.
    if (state.state === 'unregistered' && !this.sawAny) return;
    this.last = key;
    this.sawAny = true;
    if (state.state === 'failed') {
      this.onFailed(state);
      return;
    }
    const ev = registrationEvent(state);
    if (ev) this.emit(ev);
  }

  dispose(): void {
    this.off();
  }
}
