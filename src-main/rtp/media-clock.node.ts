// The media thread's send clock: ticks on absolute hrtime deadlines (no drift), sleeping with setTimeout
// until shortly before each deadline (so the worker's event loop still receives packets) and with
// Atomics.wait for the last few milliseconds (timer wake-ups are ~1 ms coarse and late under load).

export interface MediaClockOptions {
  /** Tick period in ms (20 for 20 ms G.711 frames). */
  periodMs: number;
  /** How long before a deadline setTimeout hands over to Atomics.wait; default 3 ms. */
  spinMarginMs?: number;
  /**
   * Called once per tick, as close to the deadline as we can. `lateMs` is how far past the deadline
   * it runs; `skipped` counts ticks dropped before this one after a long stall (see maxCatchUp).
   */
  onTick: (info: { index: number; lateMs: number; skipped: number }) => void;
  /**
   * Ticks missed by up to this many periods are run back to back (keeps the RTP timeline); a longer
   * stall (suspend, debugger) re-anchors the clock and reports the dropped ticks. Default 5.
   */
  maxCatchUp?: number;
}

import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

export type ThreadScheduling = 'realtime' | 'nice' | 'normal';

/**
 * Asks the OS to run the calling thread ahead of ordinary work, as audio servers do (PulseAudio via
 * rtkit, JACK): measured here under a load of 5 on 2 cores, timer lateness went from 42 ms worst case
 * to under 1 ms with SCHED_FIFO. Linux schedules threads individually, so the thread id from
 * /proc/thread-self can be given to `chrt` (SCHED_FIFO, reset-on-fork so threads it starts, such as
 * libuv's pool, stay normal). Without the privilege it falls back to a lower nice value, and without
 * that it runs as before. SOFTPHONE_MEDIA_REALTIME=0 turns it off.
 */
export function raiseThreadPriority(rtPriority = 10, nice = -10): ThreadScheduling {
  if (process.env.SOFTPHONE_MEDIA_REALTIME === '0' || process.platform !== 'linux') return 'normal';
  let tid: number;
  try {
    tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return 'normal';
  }
  if (!Number.isInteger(tid) || tid <= 0) return 'normal';
  try {
    const r = spawnSync('chrt', ['--fifo', '--reset-on-fork', '--pid', String(rtPriority), String(tid)], { stdio: 'ignore', timeout: 2000 });
    if (r.status === 0) return 'realtime';
  } catch {
    // no chrt (util-linux) on this system
  }
  try {
    setPriority(tid, nice);
    return getPriority(tid) <= nice ? 'nice' : 'normal';
  } catch {
    return 'normal'; // EACCES without CAP_SYS_NICE / RLIMIT_NICE
  }
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export class MediaClock {
  private readonly period: number;
  private readonly margin: number;
  private readonly maxCatchUp: number;
  private readonly waitCell = new Int32Array(new SharedArrayBuffer(4));
  private timer: NodeJS.Timeout | null = null;
  /** The delay `timer` was created with: refresh() re-arms it with that same delay. */
  private timerMs = -1;
  private readonly onTimer = (): void => this.fire();
  private running = false;
  private deadline = 0;
  private index = 0;
  /** Worst lateness seen, ms (for logs and the bench). */
  maxLateMs = 0;

  constructor(private readonly opts: MediaClockOptions) {
    if (!(opts.periodMs > 0)) throw new Error(`media clock: bad period ${opts.periodMs}`);
    this.period = opts.periodMs;
    this.margin = opts.spinMarginMs ?? 3;
    this.maxCatchUp = opts.maxCatchUp ?? 5;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Starts ticking; the first tick is one period from now, or at once with `immediate` (a call's first
   * packet should not wait a period: that is call-setup time).
   */
  start(opts: { immediate?: boolean } = {}): void {
    if (this.running) return;
    this.running = true;
    this.index = 0;
    this.deadline = nowMs() + (opts.immediate ? 0 : this.period);
    if (opts.immediate) this.fire();
    else this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.timerMs = -1;
  }

  private schedule(): void {
    if (!this.running) return;
    const remaining = this.deadline - nowMs();
    // setTimeout takes whole ms and may fire up to ~1 ms late: aim `margin` ms early.
    const sleep = Math.max(0, Math.floor(remaining - this.margin));
    // One Timeout re-armed with refresh() while the sleep is the usual one: no new timer object and
    // timer list every 20 ms (that churn was a measurable share of the media thread's CPU).
    if (this.timer && sleep === this.timerMs) {
      this.timer.refresh();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(this.onTimer, sleep);
    this.timerMs = sleep;
  }

  private fire(): void {
    if (!this.running) return;
    let now = nowMs();
    const remaining = this.deadline - now;
    if (remaining > this.margin + 1) {
      // Woke far too early (timer coalescing): sleep again rather than block the loop for long.
      this.schedule();
      return;
    }
    if (remaining > 0) {
      // Blocks only this worker, for at most ~margin ms; nothing ever notifies the cell.
      Atomics.wait(this.waitCell, 0, 0, remaining);
      now = nowMs();
    }
    let skipped = 0;
    const behind = Math.floor((now - this.deadline) / this.period);
    if (behind > this.maxCatchUp) {
      skipped = behind;
      this.deadline += behind * this.period;
    }
    // Run this tick, plus any others whose deadline has already passed (bounded by maxCatchUp).
    for (let guard = 0; guard <= this.maxCatchUp + 1 && this.running; guard++) {
      const lateMs = Math.max(0, now - this.deadline);
      if (lateMs > this.maxLateMs) this.maxLateMs = lateMs;
      const index = this.index++;
      this.deadline += this.period;
      try {
        this.opts.onTick({ index, lateMs, skipped });
      } catch {
        // A tick handler must not stop the clock; handlers report their own errors.
      }
      skipped = 0;
      now = nowMs();
      if (this.deadline > now) break;
    }
    this.schedule();
  }
}
