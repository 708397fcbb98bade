// What the `listen` and `call` commands are given (the user agent, media tracker, output, stop signal),
// and the steps they share: registration and a bounded shutdown. Pure: everything comes in as interfaces.
import type { Logger } from '../util/logger';
import type { Call, RegistrationState, UserAgent } from '../sip/user-agent-api';
import type { CliEvent, EmitFn } from './cli-events';
import type { MediaTracker } from './media-tracker';
import { RegistrationReporter, registrationEvent } from './registration-report';
import { NoAnswerProgress } from './no-answer-progress';

export interface CommandContext {
  ua: UserAgent;
  media: Pick<MediaTracker, 'codecSoon' | 'closeAll'> & Partial<Pick<MediaTracker, 'latestStarted'>>;
  emit: EmitFn;
  /** Aborted on SIGINT/SIGTERM: hang up, un-register, exit 0. */
  stop: AbortSignal;
  log: Logger;
  /** Answers an incoming call; the CLI's own puts the other live calls on hold first (issue 11). Default call.answer(). */
  answer?: (call: Call) => Promise<void>;
}

/** Exit codes (documented in --help). */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Longest wait for register(): the UA's own timer F (32 s) should always come first. */
export const REGISTER_GUARD_MS = 40_000;
/** Shutdown (BYE, un-REGISTER) may not hold the process longer than this. */
export const SHUTDOWN_GUARD_MS = 5_000;
/**
 * After SIGINT/SIGTERM the whole goodbye must fit in 2 s (a service manager's patience is short, and a
 * user pressing Ctrl-C expects the prompt back): hang-up, then un-REGISTER, then the recordings' close,
 * each bounded. A peer that never answers our INVITE cannot even be CANCELled (RFC 3261 §9.1 wants a
 * provisional response first); we stop waiting rather than sit out timer B's 32 s.
 */
export const STOP_HANGUP_MS = 600;
export const STOP_SHUTDOWN_MS = 500;
export const STOP_MEDIA_CLOSE_MS = 400;

/** Resolves `fallback` if `p` takes longer than `ms` (the timer never keeps the process alive past it). */
export function within<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((resolve) => {
      timer = setTimeout(() => resolve(fallback), ms);
    }),
  ]);
}

/** A promise that resolves when `signal` aborts. */
export function whenAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** One REGISTER attempt: resolves with the state reached, or 'stopped' if a signal came first. */
export async function registerOnce(
  ctx: CommandContext,
  reporter: RegistrationReporter,
  registrar = 'the server',
): Promise<RegistrationState | 'stopped'> {
  reporter.newAttempt();
  const progress = new NoAnswerProgress(ctx.ua, ctx.emit, 'REGISTER', registrar);
  const timeout: RegistrationState = { state: 'failed', reason: 'timeout: the registrar did not answer' };
  const attempt = ctx.ua.register().catch(
    (err: unknown): RegistrationState => ({ state: 'failed', reason: errorMessage(err) }),
  );
  const result = await Promise.race([
    within(attempt, REGISTER_GUARD_MS, timeout),
    whenAborted(ctx.stop).then(() => 'stopped' as const),
  ]).finally(() => progress.stop());
  if (result !== 'stopped') reporter.report(result);
  return result;
}

/** Hangs up what is left, un-registers and waits for recordings to be finished, all bounded in time. */
export async function shutdown(ctx: CommandContext): Promise<void> {
  const stopping = ctx.stop.aborted;
  try {
    await within(ctx.ua.shutdown(), stopping ? STOP_SHUTDOWN_MS : SHUTDOWN_GUARD_MS, undefined);
  } catch (err) {
    ctx.emit({ event: 'warning', message: `shutdown: ${errorMessage(err)}` });
  }
  await ctx.media.closeAll(stopping ? STOP_MEDIA_CLOSE_MS : 3000);
}

/** Emits `connected` with the negotiated codec (the media tracker knows it once media has started). */
export async function emitConnected(ctx: CommandContext, call: Call): Promise<void> {
  const codec = await ctx.media.codecSoon(1500);
  const srtp = ctx.media.latestStarted?.()?.params?.srtp?.suite;
  ctx.emit({ event: 'connected', callId: call.id, codec, ...(srtp ? { srtp } : {}) });
}

export function failedEvent(state: Extract<RegistrationState, { state: 'failed' }>, retryInSeconds?: number): CliEvent {
  return registrationEvent(state, retryInSeconds) ?? { event: 'registration_failed', reason: state.reason };
}
