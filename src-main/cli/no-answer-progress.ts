// While a REGISTER or INVITE goes unanswered, says so every 5 s ("no answer from 127.0.0.1:5099 yet
// (5 s)"): RFC 3261's timer B/F give a request 64·T1 = 32 s before it fails, and 32 s of nothing reads
// like a hang. Learns the next hop and any response from the user agent's SIP trace. Pure (timers and
// the trace come in through the interfaces given).
import type { SipTraceEntry, UserAgent } from '../sip/user-agent-api';
import type { EmitFn } from './cli-events';

export const PROGRESS_EVERY_MS = 5000;

export class NoAnswerProgress {
  private readonly started = Date.now();
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly offTrace: () => void;
  private callId: string | undefined;
  /** Per Call-ID: where our request went, and the last response ("100 Trying") that came back. */
  private readonly sentTo = new Map<string, string>();
  private readonly responses = new Map<string, string>();
  private stopped = false;

  /**
   * `method`: the request to watch (the first one sent after construction, or the call given to
   * watchCall); `fallback`: the destination to name before the trace shows the real next hop.
   */
  constructor(
    ua: Pick<UserAgent, 'on'>,
    private readonly emit: EmitFn,
    private readonly method: 'REGISTER' | 'INVITE',
    private readonly fallback: string,
  ) {
    this.offTrace = ua.on('trace', (t) => this.onTrace(t));
    this.timer = setInterval(() => this.tick(), PROGRESS_EVERY_MS);
    // The process must not stay alive for a progress report.
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Only this call's messages count (INVITE: the Call-ID of the call being followed). */
  watchCall(callId: string): void {
    this.callId = callId;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.offTrace();
  }

  // The INVITE may leave before watchCall() is told its Call-ID, so every Call-ID is noted (a handful).
  private onTrace(t: SipTraceEntry): void {
    if (t.direction === 'out' && t.summary.startsWith(this.method)) {
      if (!this.sentTo.has(t.callId)) this.sentTo.set(t.callId, t.remote);
      if (this.method === 'REGISTER') this.callId ??= t.callId;
    } else if (t.direction === 'in' && /^\d{3}/.test(t.summary)) {
      this.responses.set(t.callId, t.summary);
    }
  }

  private tick(): void {
    const seconds = Math.round((Date.now() - this.started) / 1000);
    const id = this.callId ?? '';
    const to = this.sentTo.get(id) ?? this.fallback;
    const what = this.method === 'REGISTER' ? `the registrar ${to}` : to;
    const response = this.responses.get(id);
    if (response === undefined) {
      this.emit({ event: 'progress', message: `no answer from ${what} yet (${seconds} s)`, seconds });
    } else if (this.method === 'INVITE') {
      this.emit({ event: 'progress', message: `${to} answered ${response}; not ringing yet (${seconds} s)`, seconds });
    }
  }
}
