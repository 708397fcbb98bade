// Consent freshness (RFC 7675) for one selected candidate pair: a check every ~5 s, consent lost after 30 s
// without an authenticated answer, after which the agent must stop sending on that pair (§5.1).

import type { Clock, TimerId } from './nat-clock';

export interface ConsentOptions {
  clock: Clock;
  /** §5.1: checks every 5 s on average, each interval randomised over [0.8, 1.2] of it. */
  intervalMs: number;
  /** §5.1: consent expires 30 s after the last successful check. */
  timeoutMs: number;
  /** Uniform in [0, 1), for the randomised intervals. */
  random: () => number;
  /** Sends one consent check (a Binding request on the pair, RFC 7675 §5.1). */
  sendCheck: () => void;
  onLost: () => void;
}

export class ConsentFreshness {
  private lastGranted = 0;
  private checkTimer: TimerId | undefined;
  private expiryTimer: TimerId | undefined;
  private lostValue = false;
  private running = false;

  constructor(private readonly options: ConsentOptions) {}

  get lost(): boolean {
    return this.lostValue;
  }

  get lastGrantedAt(): number {
    return this.lastGranted;
  }

  /** Starts with consent granted now (the pair has just been validated by a check). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.lostValue = false;
    this.granted();
    this.scheduleCheck();
  }

  /** An authenticated success response to a consent check arrived (§5.1). */
  granted(): void {
    if (!this.running) return;
    const { clock, timeoutMs } = this.options;
    this.lastGranted = clock.now();
    if (this.expiryTimer !== undefined) clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = clock.setTimeout(() => this.expire(), timeoutMs);
  }

  stop(): void {
    this.running = false;
    const { clock } = this.options;
    if (this.checkTimer !== undefined) clock.clearTimeout(this.checkTimer);
    if (this.expiryTimer !== undefined) clock.clearTimeout(this.expiryTimer);
    this.checkTimer = undefined;
    this.expiryTimer = undefined;
  }

  private scheduleCheck(): void {
    const { clock, intervalMs, random } = this.options;
    const delay = intervalMs * (0.8 + 0.4 * random());
    this.checkTimer = clock.setTimeout(() => {
      this.checkTimer = undefined;
      if (!this.running) return;
      this.options.sendCheck();
      this.scheduleCheck();
    }, delay);
  }

  private expire(): void {
    this.expiryTimer = undefined;
    if (!this.running) return;
    this.stop();
    this.lostValue = true;
    this.options.onLost();
  }
}
