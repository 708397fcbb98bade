// A speech-like test signal (voiced harmonics with a gliding pitch, formant-shaped, syllable rhythm) and
// segmental SNR against a clean reference: the measure the loss-concealment proof of issue 13 uses.

/**
 * Deterministic "vowel chain": harmonics of a pitch gliding between 100 and 180 Hz, their amplitudes
 * shaped by two moving formants, switched on and off at a 4 Hz syllable rate with 20 ms ramps.
 */
export function speechLike(seconds: number, sampleRate = 8000, amplitude = 0.4): Int16Array {
  const n = Math.round(seconds * sampleRate);
  const out = new Int16Array(n);
  let phase = 0;
  const nyquist = sampleRate / 2 - 200;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const f0 = 140 + 40 * Math.sin(2 * Math.PI * 0.7 * t) + 10 * Math.sin(2 * Math.PI * 3.1 * t);
    phase += (2 * Math.PI * f0) / sampleRate;
    const f1 = 500 + 250 * Math.sin(2 * Math.PI * 1.3 * t);
    const f2 = 1500 + 700 * Math.sin(2 * Math.PI * 0.9 * t + 1);
    let s = 0;
    let norm = 0;
    for (let h = 1; h * f0 < nyquist; h++) {
      const f = h * f0;
      const a = 1 / (1 + ((f - f1) / 150) ** 2) + 0.6 / (1 + ((f - f2) / 250) ** 2) + 0.02;
      s += a * Math.sin(h * phase);
      norm += a;
    }
    // Syllables: 180 ms voiced, 70 ms quiet, with soft edges.
    const inSyl = (t % 0.25) / 0.25;
    const env = inSyl < 0.72 ? Math.min(1, (t % 0.25) / 0.02, (0.18 - (t % 0.25)) / 0.02) : 0.05;
    out[i] = Math.round((amplitude * 32767 * env * s) / Math.max(1, norm * 0.5));
  }
  return out;
}

/** A deterministic ~5 % loss pattern (Park-Miller generator), as packet indices to drop. */
export function lossPattern(packets: number, rate = 0.05, seed = 12345): Set<number> {
  const lost = new Set<number>();
  let s = seed;
  for (let i = 0; i < packets; i++) {
    s = (s * 16807) % 2147483647;
    if (s / 2147483647 < rate) lost.add(i);
  }
  return lost;
}

/**
 * Segmental SNR in dB: the mean over `frame`-sample segments of 10 log10(signal energy / error energy),
 * each clamped to [-10, 35] dB (the usual bounds), over segments where the reference is not silent.
 */
export function segmentalSnr(reference: Int16Array, test: Int16Array, frame = 160): number {
  const n = Math.min(reference.length, test.length);
  let sum = 0;
  let count = 0;
  for (let start = 0; start + frame <= n; start += frame) {
    let sig = 0;
    let err = 0;
    for (let i = start; i < start + frame; i++) {
      const r = reference[i] as number;
      const d = r - (test[i] as number);
      sig += r * r;
      err += d * d;
    }
    if (sig / frame < 100) continue; // below -50 dBFS: a pause, not speech
    const snr = 10 * Math.log10(sig / Math.max(err, 1e-9));
    sum += Math.max(-10, Math.min(35, snr));
    count++;
  }
  return count ? sum / count : Number.NaN;
}

/** The lag (0..maxLag samples) at which `test` best matches `reference` (test = reference delayed). */
export function bestLag(reference: Int16Array, test: Int16Array, maxLag: number, span = 8000): number {
  let best = 0;
  let bestCorr = -Infinity;
  const n = Math.min(span, reference.length - maxLag, test.length - maxLag);
  for (let lag = 0; lag <= maxLag; lag++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += (reference[i] as number) * (test[i + lag] as number);
    if (c > bestCorr) {
      bestCorr = c;
      best = lag;
    }
  }
  return best;
}

