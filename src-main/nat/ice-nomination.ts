// When the controlling ICE agent nominates (RFC 8445 §8.1.1, regular nomination): as soon as no
// higher-priority pair of the component can still succeed, or after a bounded wait for one.

import type { Clock, TimerId } from './nat-clock';

export class NominationTimer {
  private readonly timers = new Map<number, TimerId>();

  /**
   * @param delayMs how long to wait for better pairs after the first valid one (the RFC leaves it open;
   *   a stuck higher-priority check would otherwise hold the call for its whole 39.5 s timeout).
   * @param nominate called with the component when it is time; the agent picks the best valid pair then.
   */
  constructor(
    private readonly clock: Clock,
    private readonly delayMs: number,
    private readonly nominate: (component: number) => void,
  ) {}

  /** A component has a valid pair: nominate now if nothing better is pending, else within delayMs. */
  consider(component: number, betterPending: boolean): void {
    if (!betterPending) {
      this.cancel(component);
      this.nominate(component);
      return;
    }
    if (this.timers.has(component)) return;
    this.timers.set(
      component,
      this.clock.setTimeout(() => {
        this.timers.delete(component);
        this.nominate(component);
      }, this.delayMs),
    );
  }

  cancel(component: number): void {
    const t = this.timers.get(component);
    if (t !== undefined) this.clock.clearTimeout(t);
    this.timers.delete(component);
  }

  cancelAll(): void {
    for (const t of this.timers.values()) this.clock.clearTimeout(t);
    this.timers.clear();
  }
}
