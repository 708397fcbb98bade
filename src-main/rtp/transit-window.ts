// The jitter buffer's view of the network: transit = arrival time - RTP time, over the last packets.
// Its spread (max - min) is the jitter the delay must absorb; its minimum is the fastest path, from
// which the delay a frame waited in the buffer is measured. Pure; the caller passes the time in.

export class TransitWindow {
  /** Max - min transit over the window, in ms (0 with fewer than two packets). */
  spreadMs = 0;
  /** The least transit over the window, in ms. */
  minMs = 0;
  private readonly transit: Float64Array;
  private count = 0;
  private next = 0;
  private tsUnwrapped = 0;
  private lastTsRaw = 0;

  constructor(
    private readonly clockRate: number,
    size: number,
  ) {
    this.transit = new Float64Array(size);
  }

  /** A new stream: its RTP timeline starts at `timestamp`. */
  begin(timestamp: number): void {
    this.lastTsRaw = timestamp;
    this.tsUnwrapped = 0;
  }

  /** Forgets the samples (the timeline stays until begin()). */
  clear(): void {
    this.count = 0;
    this.next = 0;
    this.spreadMs = 0;
  }

  /** Records one packet; returns its RTP time in ms on the unwrapped timeline. */
  record(timestamp: number, arrivalMs: number): number {
    this.tsUnwrapped += (timestamp - this.lastTsRaw) | 0;
    this.lastTsRaw = timestamp;
    const rtpMs = (this.tsUnwrapped * 1000) / this.clockRate;
    this.transit[this.next] = arrivalMs - rtpMs;
    this.next = (this.next + 1) % this.transit.length;
    if (this.count < this.transit.length) this.count++;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < this.count; i++) {
      const t = this.transit[i] as number;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
    this.spreadMs = this.count > 1 ? hi - lo : 0;
    this.minMs = lo;
    return rtpMs;
  }
}
