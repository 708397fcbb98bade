// A fixed-size ring of PCM samples between a sound card's own clock and the 20 ms media tick: drops the
// oldest samples on overflow (latency stays bounded) and reports underflow instead of waiting.

export class SampleRing {
  private readonly buf: Int16Array;
  private head = 0; // next sample to read
  private size = 0;
  /** Samples thrown away because the ring was full or held more than the caller's latency target. */
  overflows = 0;
  /** Reads that found fewer samples than asked for. */
  underflows = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new Error(`sample ring: bad capacity ${capacity}`);
    this.buf = new Int16Array(capacity);
  }

  get available(): number {
    return this.size;
  }

  /** Appends `count` samples of `data` (default all); the oldest ones make room when full. */
  push(data: Int16Array, count = data.length): void {
    let n = Math.min(count, data.length);
    let from = 0;
    if (n > this.capacity) {
      // Only the newest `capacity` samples can survive anyway.
      this.overflows += n - this.capacity;
      from = n - this.capacity;
      n = this.capacity;
    }
    const excess = this.size + n - this.capacity;
    if (excess > 0) this.drop(excess);
    let tail = (this.head + this.size) % this.capacity;
    let left = n;
    while (left > 0) {
      const run = Math.min(left, this.capacity - tail);
      this.buf.set(data.subarray(from, from + run), tail);
      from += run;
      left -= run;
      tail = (tail + run) % this.capacity;
    }
    this.size += n;
  }

  /**
   * Fills `out` completely if enough samples are buffered and returns true; otherwise leaves the ring
   * alone, fills `out` with silence, counts an underflow and returns false.
   */
  read(out: Int16Array): boolean {
    const n = out.length;
    if (this.size < n) {
      out.fill(0);
      this.underflows++;
      return false;
    }
    let to = 0;
    let left = n;
    while (left > 0) {
      const run = Math.min(left, this.capacity - this.head);
      out.set(this.buf.subarray(this.head, this.head + run), to);
      to += run;
      left -= run;
      this.head = (this.head + run) % this.capacity;
    }
    this.size -= n;
    return true;
  }

  /** Drops the oldest samples until at most `max` remain (a latency cap); counts them as overflow. */
  trimTo(max: number): void {
    if (this.size > max) this.drop(this.size - Math.max(0, max));
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  private drop(n: number): void {
    const k = Math.min(n, this.size);
    this.head = (this.head + k) % this.capacity;
    this.size -= k;
    this.overflows += k;
  }
}
