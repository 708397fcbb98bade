// Plays RFC 3389 comfort noise: white noise at the signalled level, shaped by the all-pole lattice
// filter of the reflection coefficients when the CN packet carried them. Pure, allocation-free per frame.

import { rmsOfLevel, type ComfortNoise } from './comfort-noise';

/** A reflection coefficient of magnitude 1 makes the filter unstable (a hostile 0xFF byte gives 1.0). */
const MAX_K = 0.99;

export class ComfortNoiseGenerator {
  private amplitude = 0;
  private k = new Float64Array(0);
  /** Backward prediction errors of the lattice, one per stage (the filter's memory). */
  private b = new Float64Array(0);
  private seed: number;

  /** `seed`: start of the noise sequence (any 32-bit value; tests pass a fixed one). */
  constructor(seed = 0x2545f491) {
    this.seed = seed >>> 0 || 1;
  }

  /**
   * New noise parameters from a CN packet. The excitation is uniform white noise (variance a^2 / 3);
   * an all-pole filter with reflection coefficients k_i multiplies the variance by 1 / prod(1 - k_i^2),
   * so the excitation is scaled down by that much and what is played has the signalled RMS.
   */
  set(cn: ComfortNoise): void {
    const order = cn.coefficients.length;
    if (this.k.length !== order) {
      this.k = new Float64Array(order);
      this.b = new Float64Array(order);
    }
    let gain = 1;
    for (let i = 0; i < order; i++) {
      const k = Math.max(-MAX_K, Math.min(MAX_K, cn.coefficients[i] as number));
      this.k[i] = k;
      gain *= 1 - k * k;
    }
    this.amplitude = rmsOfLevel(cn.level) * Math.sqrt(3 * gain);
  }

  /** Writes `n` samples of noise into `out`. */
  fill(out: Int16Array, n = out.length): void {
    const order = this.k.length;
    const k = this.k;
    const b = this.b;
    for (let i = 0; i < n; i++) {
      let f = this.amplitude * (2 * this.next() - 1);
      // Lattice synthesis (all-pole), stage M down to 1: f(m-1) = f(m) - k(m) b(m-1)[n-1],
      // b(m)[n] = k(m) f(m-1) + b(m-1)[n-1]; the output is f(0) = b(0)[n].
      for (let m = order - 1; m >= 0; m--) {
        f -= (k[m] as number) * (b[m] as number);
        if (m + 1 < order) b[m + 1] = (k[m] as number) * f + (b[m] as number);
      }
      if (order > 0) b[0] = f;
      out[i] = f > 32767 ? 32767 : f < -32768 ? -32768 : Math.round(f);
    }
  }

  /** xorshift32: cheap, deterministic for a seed, good enough for noise. */
  private next(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed / 0x100000000;
  }
}
