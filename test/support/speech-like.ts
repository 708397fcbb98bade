// A deterministic speech-like signal for echo tests: voiced partials plus broadband noise under a 3 Hz
// syllable envelope (a pure tone is the worst case for an adaptive filter, and not what people say).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeWav } from '../../src-main/audio/wav';

export function speechLike(seconds: number, rate = 8000, peak = 6000): Int16Array {
  const out = new Int16Array(Math.round(seconds * rate));
  let seed = 12345;
  for (let i = 0; i < out.length; i++) {
    // Math.imul keeps the generator exact (a float product loses low bits and fell into a 0.76 s cycle,
    // which made the signal repeat itself and fooled the echo delay estimator).
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const t = i / rate;
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t);
    const voiced = Math.sin(2 * Math.PI * (220 + 30 * Math.sin(t)) * t) + 0.6 * Math.sin(2 * Math.PI * 660 * t);
    const v = 0.5 * voiced + 0.5 * ((seed >>> 16) / 65536 - 0.5) * 3;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v * env * peak)));
  }
  return out;
}

export function writeSpeechLikeWav(dir: string, seconds = 30): string {
  const path = join(dir, 'speech-like.wav');
  writeFileSync(path, encodeWav(speechLike(seconds), 8000));
  return path;
}

/** Mean power of samples [from, to). */
export function meanPower(x: Int16Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return s / Math.max(1, to - from);
}
