// The one adapter over fft.js (a radix-4 FFT, its own types are `any`): forward transform of a real
// signal and inverse transform back to a real one, on Float64Arrays of one power-of-two size.
import FFT from 'fft.js';

export class RealFft {
  private readonly fft: FFT;
  private readonly complexOut: Float64Array;

  constructor(readonly size: number) {
    if (!Number.isInteger(Math.log2(size)) || size < 4) throw new RangeError(`FFT size must be a power of two, got ${size}`);
    this.fft = new FFT(size);
    this.complexOut = new Float64Array(2 * size);
  }

  /** The full spectrum (interleaved re, im; `size` bins) of a real signal of `size` samples. */
  forward(signal: Float64Array, spectrum: Float64Array): void {
    this.fft.realTransform(spectrum, signal);
    this.fft.completeSpectrum(spectrum);
  }

  /** The real part of the inverse transform of a full spectrum, scaled back (fft.js divides by size). */
  inverseReal(spectrum: Float64Array, signal: Float64Array): void {
    this.fft.inverseTransform(this.complexOut, spectrum);
    for (let i = 0; i < this.size; i++) signal[i] = this.complexOut[2 * i] as number;
  }
}
