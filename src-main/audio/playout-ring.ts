// The speaker's buffer between the 20 ms media tick (producer) and the sound card (consumer, pulling one
// block whenever its own queue has room). Pure.
//
// The card and the tick run on different clocks and the card pulls in bursts (PortAudio primes several
// blocks at start, PulseAudio asks for more at a time under load), so a plain ring run at "whatever level
// it happens to have" fails two ways: read as soon as one block is there, it runs dry on every burst
// (a 20 ms hole each time); capped at a fixed level on every write, it sits at that cap after a slow
// start and throws away 20 ms of audio at every late pull. This one keeps a chosen cushion instead:
//  - it starts playing (and after running dry starts again) only once `target` blocks are queued;
//  - latency that is not needed is given back in one step: when even the lowest level seen over a window
//    of reads stayed above target + 1 block, the excess goes (drift, or a backlog after a slow start);
//  - after the card stalled (a write that blocked far longer than a block), the backlog beyond `target`
//    is stale and goes at once; a producer far ahead (`max` blocks) is cut back to `target` too.

import { SampleRing } from './sample-ring';

export interface PlayoutRingOptions {
  /** Samples per block (one card write; all channels). */
  block: number;
  /** Blocks queued before playing starts or resumes (the cushion against jitter), default 2. */
  targetBlocks?: number;
  /** Above this many queued blocks the producer is far ahead: cut back to the target. Default 10. */
  maxBlocks?: number;
  /** Reads per latency check (50 = 1 s of 20 ms blocks). */
  windowReads?: number;
}

export class PlayoutRing {
  private readonly ring: SampleRing;
  private readonly block: number;
  private readonly target: number;
  private readonly max: number;
  private readonly window: number;
  private priming = true;
  private reads = 0;
  private minLevel = Infinity;
  /** Reads that found the ring dry after playing had started (each plays a block of silence). */
  underflows = 0;
  /** Samples dropped to bring latency back to the target. */
  overflows = 0;

  constructor(opts: PlayoutRingOptions) {
    if (!Number.isInteger(opts.block) || opts.block <= 0) throw new Error(`playout ring: bad block ${opts.block}`);
    this.block = opts.block;
    this.target = Math.max(1, opts.targetBlocks ?? 2);
    this.max = Math.max(this.target + 2, opts.maxBlocks ?? 10);
    this.window = Math.max(1, opts.windowReads ?? 50);
    this.ring = new SampleRing(this.block * (this.max + 2));
  }

  /** Samples queued now. */
  get available(): number {
    return this.ring.available;
  }

  /** The tick's audio (already at the card's rate and channel layout). */
  push(pcm: Int16Array, count = pcm.length): void {
    this.ring.push(pcm, count);
    if (this.ring.available > this.max * this.block) this.dropTo(this.target * this.block);
  }

  /**
   * The card's next block: true with audio, false with silence (still priming, or ran dry). `out` must
   * be one block long.
   */
  read(out: Int16Array): boolean {
    const level = this.ring.available;
    if (this.priming) {
      if (level < this.target * this.block) {
        out.fill(0);
        return false;
      }
      this.priming = false;
      this.resetWindow();
    }
    if (level < out.length) {
      // Ran dry: silence now, and wait for the whole cushion again rather than limping block by block.
      out.fill(0);
      this.underflows++;
      this.priming = true;
      return false;
    }
    if (level < this.minLevel) this.minLevel = level;
    if (++this.reads >= this.window) {
      // Even the leanest moment of the window had more than target + 1 block: that much is spare.
      const spare = this.minLevel - (this.target + 1) * this.block;
      if (spare >= this.block) this.dropTo(level - Math.floor(spare / this.block) * this.block);
      this.resetWindow();
    }
    this.ring.read(out);
    return true;
  }

  /** The card did not take audio for a long while (it was starting, or the sound server stalled). */
  cardStalled(): void {
    if (this.ring.available > this.target * this.block) this.dropTo(this.target * this.block);
    this.resetWindow();
  }

  private dropTo(samples: number): void {
    const before = this.ring.available;
    this.ring.trimTo(samples);
    this.overflows += before - this.ring.available;
    this.resetWindow();
  }

  private resetWindow(): void {
    this.reads = 0;
    this.minLevel = Infinity;
  }
}
