// Where the speaker's sound is in the microphone, found from the signals themselves (GCC-PHAT over half
// a second), as a fixed offset between the two sample streams (issue 13). Pure.
//
// Why: the sound cards' buffer fill (steady-echo-delay.ts) tells where the echo is only roughly: it
// jitters by a block and misses what the sound server does inside (in the PulseAudio lab the echo moved
// by 28 ms mid-call with the fill unchanged, and the canceller lost 30 dB until it re-converged). Both
// streams advance a sample per sample of the same card clock, so the far-end index of the echo in a
// microphone sample is that sample's index plus a constant, until a buffer drops or inserts audio; the
// generalised cross-correlation with phase transform finds that constant to the sample, and whitening
// makes the peak sharp for speech whose spectrum is far from flat.
import { RealFft } from './real-fft';

/** Correlation peak must reach this (1 = identical after whitening): the lab's echo gave 0.4-0.6. */
const MIN_PEAK = 0.12;
/** ...and stand this many times above anything farther than 2 ms from it (periodic sound is ambiguous). */
const MIN_PEAK_RATIO = 3;
/** Below this mean square (about -60 dBFS), a window carries no talk to correlate. */
const MIN_POWER = 33 * 33;

export interface FarHistory {
  /** Index of the next far-end sample to be written (samples written so far). */
  readonly written: number;
  /** Copies far-end samples [start, start + out.length) into out (silence where not held). */
  read(out: Float64Array, start: number): void;
}

export interface EchoOffset {
  /** Far-end index minus microphone index of the same moment at the speaker. */
  offset: number;
  /** The correlation peak, 0-1. */
  peak: number;
}

export class EchoDelayEstimator {
  /** Microphone samples correlated at once (a power of two near half a second). */
  readonly window: number;
  /** Largest far-to-microphone distance searched, in samples. */
  readonly maxLag: number;
  private readonly fft: RealFft;
  private readonly mic: Float64Array;
  private micCount = 0;
  private readonly farBuf: Float64Array;
  private readonly micBuf: Float64Array;
  private readonly farSpec: Float64Array;
  private readonly micSpec: Float64Array;
  private readonly corr: Float64Array;

  constructor(private readonly rate: number, maxLagSeconds = 1) {
    this.window = 2 ** Math.round(Math.log2(rate / 2));
    this.maxLag = Math.round(rate * maxLagSeconds);
    const size = 2 ** Math.ceil(Math.log2(this.window + this.maxLag));
    this.fft = new RealFft(size);
    this.mic = new Float64Array(this.window);
    this.farBuf = new Float64Array(size);
    this.micBuf = new Float64Array(size);
    this.farSpec = new Float64Array(2 * size);
    this.micSpec = new Float64Array(2 * size);
    this.corr = new Float64Array(size);
  }

  /** Far-end samples the estimator needs behind the newest one. */
  get historyNeeded(): number {
    return this.window + this.maxLag;
  }

  /** Samples of the microphone stream pushed so far (the index of the next one). */
  get micIndex(): number {
    return this.micCount;
  }

  /** The microphone's next frame, as it came from the card (before cancellation). */
  pushMic(frame: Int16Array): void {
    const w = this.window;
    for (let i = 0; i < frame.length; i++) this.mic[(this.micCount + i) % w] = frame[i] as number;
    this.micCount += frame.length;
  }

  /** The offset where the last window of microphone audio matches the far end, or null when unsure. */
  estimate(far: FarHistory): EchoOffset | null {
    const w = this.window;
    const size = this.fft.size;
    const span = w + this.maxLag;
    if (this.micCount < w) return null; // far samples not yet written read as silence
    const micStart = this.micCount - w;
    let micPower = 0;
    for (let i = 0; i < w; i++) {
      const v = this.mic[(micStart + i) % w] as number;
      this.micBuf[i] = v;
      micPower += v * v;
    }
    this.micBuf.fill(0, w);
    const farStart = far.written - span;
    this.farBuf.fill(0);
    far.read(this.farBuf.subarray(0, span), farStart);
    let farPower = 0;
    for (let i = 0; i < span; i++) farPower += (this.farBuf[i] as number) ** 2;
    if (micPower / w < MIN_POWER || farPower / span < MIN_POWER) return null;
    this.fft.forward(this.farBuf, this.farSpec);
    this.fft.forward(this.micBuf, this.micSpec);
    // Cross-spectrum far x conj(mic), whitened: its inverse peaks at the lag k where far[k + i] ~ mic[i].
    const f = this.farSpec;
    const m = this.micSpec;
    for (let b = 0; b < size; b++) {
      const fr = f[2 * b] as number, fi = f[2 * b + 1] as number, mr = m[2 * b] as number, mi = m[2 * b + 1] as number;
      const re = fr * mr + fi * mi;
      const im = fi * mr - fr * mi;
      const mag = Math.hypot(re, im) + 1e-9;
      f[2 * b] = re / mag;
      f[2 * b + 1] = im / mag;
    }
    this.fft.inverseReal(f, this.corr);
    let best = 0;
    for (let k = 1; k <= this.maxLag; k++) if ((this.corr[k] as number) > (this.corr[best] as number)) best = k;
    const peak = this.corr[best] as number;
    const guard = Math.max(2, Math.round(this.rate / 500)); // 2 ms
    let second = 0;
    for (let k = 0; k <= this.maxLag; k++) if (Math.abs(k - best) > guard) second = Math.max(second, this.corr[k] as number);
    if (peak < MIN_PEAK || peak < MIN_PEAK_RATIO * second) return null;
    return { offset: farStart + best - micStart, peak };
  }
}

/**
 * Holds the offset the canceller's reference is cut at: the first sure estimate is taken, a different
 * one only when the next estimate agrees with it (one stray peak must not move the echo under the
 * adaptive filter, which then needs seconds to converge again).
 */
export class EchoOffsetTracker {
  private current: number | null = null;
  private candidate: number | null = null;

  get offset(): number | null {
    return this.current;
  }

  propose(estimate: EchoOffset | null): void {
    if (!estimate) return;
    const o = estimate.offset;
    if (this.current === null) {
      this.current = o;
    } else if (Math.abs(o - this.current) > 1) {
      if (this.candidate !== null && Math.abs(o - this.candidate) <= 1) {
        this.current = o;
        this.candidate = null;
      } else this.candidate = o;
      return;
    }
    this.candidate = null;
  }

  reset(): void {
    this.current = null;
    this.candidate = null;
  }
}
