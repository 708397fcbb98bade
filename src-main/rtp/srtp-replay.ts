// The SRTP/SRTCP replay list (RFC 3711 §3.3.2): a sliding window of recently authenticated indices.
// Pure; no shifting of bitmaps: slot i mod W remembers the last index stored there.

/** §3.3.2 asks for at least 64; 128 (libsrtp's default) also absorbs the reordering of a busy Wi-Fi link. */
export const REPLAY_WINDOW = 128;

export class ReplayWindow {
  private readonly seen = new Float64Array(REPLAY_WINDOW).fill(-1);
  /** Highest index authenticated so far; -1 before the first. */
  private highest = -1;

  /** True when `index` may be new: ahead of the window, or in it and not yet seen. */
  check(index: number): boolean {
    if (index > this.highest) return true;
    if (this.highest - index >= REPLAY_WINDOW) return false; // §3.3.2: left of the window, too old to tell
    return this.seen[index % REPLAY_WINDOW] !== index;
  }

  /** Marks `index` as received; only after the packet authenticated (§3.3.2: "update ... only after"). */
  accept(index: number): void {
    this.seen[index % REPLAY_WINDOW] = index;
    if (index > this.highest) this.highest = index;
  }
}
