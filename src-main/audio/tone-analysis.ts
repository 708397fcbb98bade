// Audio checked by content: tone generation, Goertzel power, tone coverage and levels (tests, bench, meters).

/** A sine tone as 16-bit mono PCM; amplitude is a fraction of full scale (0..1, default 0.5). */
export function generateTone(freqHz: number, seconds: number, sampleRate: number, amplitude = 0.5): Int16Array {
  const n = Math.max(0, Math.round(seconds * sampleRate));
  const out = new Int16Array(n);
  const a = Math.max(0, Math.min(1, amplitude)) * 32767;
  const w = (2 * Math.PI * freqHz) / sampleRate;
  for (let i = 0; i < n; i++) out[i] = Math.round(a * Math.sin(w * i));
  return out;
}

/**
 * Power of the `freqHz` component of samples[start .. start+length), by the Goertzel recurrence at the
 * exact frequency (not a DFT bin). Normalised to a mean square in 16-bit units, so a sine of amplitude A
 * gives ~A²/2, directly comparable with the window's mean square (rms²).
 */
export function goertzelPower(
  samples: Int16Array,
  start: number,
  length: number,
  freqHz: number,
  sampleRate: number,
): number {
  const from = Math.max(0, Math.floor(start));
  const to = Math.min(samples.length, from + Math.max(0, Math.floor(length)));
  const n = to - from;
  if (n <= 0 || sampleRate <= 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * freqHz) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  for (let i = from; i < to; i++) {
    const s0 = (samples[i] as number) + coeff * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const magSq = s1 * s1 + s2 * s2 - coeff * s1 * s2;
  return Math.max(0, (2 * magSq) / (n * n));
}

export interface ToneCoverageOptions {
  /** Analysis window; default 20 ms. */
  windowMs?: number;
  /** Windows quieter than this RMS (fraction of full scale) never count as the tone; default 0.01. */
  minRms?: number;
  /** Frequencies that must each hold clearly (10 dB) less power than the tone in a counted window. */
  otherFreqs?: number[];
}

/**
 * Fraction (0..1) of whole windows in which `freqHz` holds most (> 50 %) of the window's power, the
 * window is loud enough, and each of `otherFreqs` is at least 10 dB below the tone.
 */
export function toneCoverage(
  samples: Int16Array,
  sampleRate: number,
  freqHz: number,
  opts: ToneCoverageOptions = {},
): number {
  const windowMs = opts.windowMs ?? 20;
  const win = Math.max(1, Math.round((windowMs * sampleRate) / 1000));
  const windows = Math.floor(samples.length / win);
  if (windows === 0) return 0;
  const minRms = (opts.minRms ?? 0.01) * 32768;
  const others = opts.otherFreqs ?? [];
  let hits = 0;
  for (let w = 0; w < windows; w++) {
    const start = w * win;
    let ms = 0;
    for (let i = start; i < start + win; i++) {
      const v = samples[i] as number;
      ms += v * v;
    }
    ms /= win;
    if (Math.sqrt(ms) < minRms) continue;
    const p = goertzelPower(samples, start, win, freqHz, sampleRate);
    if (p <= 0.5 * ms) continue;
    let clear = true;
    for (const f of others) {
      if (goertzelPower(samples, start, win, f, sampleRate) * 10 >= p) {
        clear = false;
        break;
      }
    }
    if (clear) hits++;
  }
  return hits / windows;
}

/** Largest absolute sample as a fraction of full scale (0..1). */
export function peakLevel(frame: Int16Array): number {
  let peak = 0;
  for (let i = 0; i < frame.length; i++) {
    const v = frame[i] as number;
    const a = v < 0 ? -v : v;
    if (a > peak) peak = a;
  }
  return Math.min(1, peak / 32768);
}

/** Root-mean-square level as a fraction of full scale (0..1); 0 for an empty frame. */
export function rmsLevel(frame: Int16Array): number {
  if (frame.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < frame.length; i++) {
    const v = frame[i] as number;
    sum += v * v;
  }
  return Math.sqrt(sum / frame.length) / 32768;
}

/** Level in dB relative to full scale (dBFS) of a 0..1 level; -Infinity for silence. */
export function levelToDb(level: number): number {
  return level > 0 ? 20 * Math.log10(level) : -Infinity;
}
