// Digits waiting to be sent as RFC 4733 events, played out one packet per 20 ms tick in place of voice,
// with voice in the pause between digits (',' is a 500 ms pause, as on phone keypads' dial strings).

import { dtmfPacketPlan, type DtmfPlannedPacket } from './dtmf-event';

/** Silence between two events, so the far end's detector sees two presses (ITU-T Q.24: >= 40 ms). */
const GAP_MS = 60;
const PAUSE_MS = 500;

export type DtmfTick =
  /** Send this event packet instead of voice; `first` = a new event starts (take its timestamp now). */
  | { kind: 'event'; packet: DtmfPlannedPacket; first: boolean }
  /** No event on this tick (nothing queued, or the pause between two events): send voice. */
  | { kind: 'voice' };

export class DtmfQueue {
  private readonly pending: { digit: string; durationMs: number }[] = [];
  private plan: DtmfPlannedPacket[] = [];
  private step = 0;
  private gapTicks = 0;

  constructor(private readonly ptimeMs = 20) {}

  /** True while an event or the pause after it is being sent, or digits are waiting. */
  get busy(): boolean {
    return this.step < this.plan.length || this.gapTicks > 0 || this.pending.length > 0;
  }

  /** Queues digits (0-9 * # A-D, ',' = pause); other characters are ignored. Returns how many were queued. */
  enqueue(digits: string, durationMs: number): number {
    let n = 0;
    for (const d of digits) {
      if (d === ',' || dtmfPacketPlan(d, durationMs, this.ptimeMs).length > 0) {
        this.pending.push({ digit: d, durationMs });
        n++;
      }
    }
    return n;
  }

  clear(): void {
    this.pending.length = 0;
    this.plan = [];
    this.step = 0;
    this.gapTicks = 0;
  }

  /** What to send on this tick. */
  tick(): DtmfTick {
    if (this.step < this.plan.length) {
      const packet = this.plan[this.step] as DtmfPlannedPacket;
      const first = this.step === 0;
      this.step++;
      if (this.step === this.plan.length) this.gapTicks = Math.ceil(GAP_MS / this.ptimeMs);
      return { kind: 'event', packet, first };
    }
    if (this.gapTicks > 0) {
      this.gapTicks--;
      return { kind: 'voice' };
    }
    const next = this.pending.shift();
    if (!next) return { kind: 'voice' };
    if (next.digit === ',') {
      this.gapTicks = Math.ceil(PAUSE_MS / this.ptimeMs) - 1;
      return { kind: 'voice' };
    }
    this.plan = dtmfPacketPlan(next.digit, next.durationMs, this.ptimeMs);
    this.step = 0;
    return this.tick();
  }
}
