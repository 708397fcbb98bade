// 20 ms frames at one sample rate in, 20 ms frames at another out, for a call whose codec runs at a rate
// its device does not (a 8 kHz WAV in a 16 kHz G.722 call, a G.711 call's partner in a wideband
// conference). Pure, no allocation per frame.
//
// The streaming resampler (resampler.ts) holds back a few ms of input for its filter, so its first
// outputs are short of a whole frame; that shortfall is put in front once, as silence, and from then on
// every 20 ms in gives exactly 20 ms out (both frame sizes are whole numbers of samples).

import { Resampler } from '../codec/resampler';
import { SampleRing } from './sample-ring';

/** Samples in a 20 ms frame at `rate`. */
export function frameSamplesAt(rate: number): number {
  return Math.round(rate / 50);
}

export class FrameResampler {
  private readonly resampler: Resampler;
  private readonly ring: SampleRing;
  private readonly converted: Int16Array;
  private primed = false;

  constructor(
    readonly fromRate: number,
    readonly toRate: number,
  ) {
    this.resampler = new Resampler(fromRate, toRate, 1);
    const outFrame = frameSamplesAt(toRate);
    this.converted = new Int16Array(this.resampler.maxOutput(frameSamplesAt(fromRate)) + 1);
    this.ring = new SampleRing(4 * outFrame + this.converted.length);
  }

  /** Converts one frame (`input`, 20 ms at fromRate) into `out` (20 ms at toRate). */
  process(input: Int16Array, out: Int16Array): void {
    if (!this.primed) {
      this.primed = true;
      const first = this.resampler.nextOutputCount(input.length);
      if (first < out.length) this.ring.push(new Int16Array(out.length - first));
    }
    const n = this.resampler.processInto(input, this.converted);
    this.ring.push(this.converted, n);
    // Only if the caller's frames are not 20 ms: never wait, play what is there padded with silence.
    if (this.ring.available < out.length) this.ring.push(new Int16Array(out.length - this.ring.available));
    this.ring.read(out);
  }
}
