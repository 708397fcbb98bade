// Resampler: frequency and level kept in band, aliases removed, chunking invisible, channels averaged.
import { describe, expect, it } from 'vitest';
import { Resampler } from '../../../src-main/codec/resampler';
import { generateTone, goertzelPower, rmsLevel } from '../../../src-main/audio/tone-analysis';

const db = (ratio: number) => 10 * Math.log10(ratio);

/** Resamples a tone and returns the steady middle part (skipping the filter's start-up). */
function convert(freq: number, from: number, to: number, seconds = 0.5, amplitude = 0.5): Int16Array {
  const out = new Resampler(from, to).process(generateTone(freq, seconds, from, amplitude));
  return out.subarray(Math.round(to * 0.05), out.length - Math.round(to * 0.05));
}

/** Power of the strongest of a set of candidate frequencies. */
function strongest(samples: Int16Array, rate: number, freqs: number[]): number {
  let best = freqs[0] as number;
  let bestP = -1;
  for (const f of freqs) {
    const p = goertzelPower(samples, 0, samples.length, f, rate);
    if (p > bestP) [best, bestP] = [f, p];
  }
  return best;
}

describe('Resampler', () => {
  for (const from of [48000, 44100, 16000]) {
    it(`keeps a 1 kHz tone's frequency and level ${from} -> 8000`, () => {
      const out = convert(1000, from, 8000);
      expect(out.length).toBeGreaterThan(3000);
      expect(strongest(out, 8000, [900, 950, 1000, 1050, 1100])).toBe(1000);
      const inRms = 0.5 / Math.SQRT2;
      expect(Math.abs(20 * Math.log10(rmsLevel(out) / inRms))).toBeLessThan(1);
      // Nearly all power at 1 kHz: the tone is clean, not smeared by imaging or phase jumps.
      const ms = (rmsLevel(out) * 32768) ** 2;
      expect(goertzelPower(out, 0, out.length, 1000, 8000) / ms).toBeGreaterThan(0.98);
    });
  }

  it('keeps a 3 kHz tone within 1 dB (passband reaches the telephone band edge)', () => {
    const out = convert(3000, 48000, 8000);
    expect(Math.abs(20 * Math.log10(rmsLevel(out) / (0.5 / Math.SQRT2)))).toBeLessThan(1);
  });

  it('upsamples 8000 -> 48000 keeping frequency and level, without images', () => {
    const out = convert(1000, 8000, 48000);
    expect(strongest(out, 48000, [900, 1000, 1100])).toBe(1000);
    expect(Math.abs(20 * Math.log10(rmsLevel(out) / (0.5 / Math.SQRT2)))).toBeLessThan(1);
    // Zero-stuffing images of 1 kHz would sit at 7 and 9 kHz.
    const p1k = goertzelPower(out, 0, out.length, 1000, 48000);
    expect(db(p1k / goertzelPower(out, 0, out.length, 7000, 48000))).toBeGreaterThan(50);
    expect(db(p1k / goertzelPower(out, 0, out.length, 9000, 48000))).toBeGreaterThan(50);
  });

  it('removes tones above the new Nyquist frequency (no aliasing) 48000 -> 8000', () => {
    const ref = (rmsLevel(convert(1000, 48000, 8000)) * 32768) ** 2;
    // 6 kHz would alias to 2 kHz, 4.5 kHz to 3.5 kHz, 5 kHz to 3 kHz.
    for (const [freq, alias] of [[6000, 2000], [5000, 3000], [4500, 3500]] as const) {
      const out = convert(freq, 48000, 8000);
      const ms = (rmsLevel(out) * 32768) ** 2;
      expect(db(ref / Math.max(ms, 1e-9))).toBeGreaterThan(30);
      expect(db(ref / Math.max(goertzelPower(out, 0, out.length, alias, 8000), 1e-9))).toBeGreaterThan(30);
    }
  });

  it('attenuates a 6 kHz tone by > 30 dB 44100 -> 8000 as well', () => {
    const ref = (rmsLevel(convert(1000, 44100, 8000)) * 32768) ** 2;
    const ms = (rmsLevel(convert(6000, 44100, 8000)) * 32768) ** 2;
    expect(db(ref / Math.max(ms, 1e-9))).toBeGreaterThan(30);
  });

  for (const [from, to] of [[48000, 8000], [44100, 8000], [8000, 48000], [16000, 8000], [44100, 48000]] as const) {
    it(`gives the same output in 20 ms chunks as in one call (${from} -> ${to})`, () => {
      const input = generateTone(440, 0.37, from, 0.8);
      // add some noise so that the comparison is not trivially periodic
      for (let i = 0; i < input.length; i++) input[i] = (input[i] as number) + ((i * 7919) % 201) - 100;
      const whole = new Resampler(from, to).process(input);
      const chunked = new Resampler(from, to);
      const parts: number[] = [];
      const chunk = Math.round(from * 0.02);
      for (let i = 0; i < input.length; i += chunk) parts.push(...chunked.process(input.subarray(i, i + chunk)));
      expect(parts.length).toBe(whole.length);
      expect(Int16Array.from(parts)).toEqual(whole);
      // and the total count matches the rate ratio (minus the filter latency, < 3 ms)
      const expected = (input.length * to) / from;
      expect(whole.length).toBeLessThanOrEqual(Math.ceil(expected));
      expect(whole.length).toBeGreaterThanOrEqual(Math.floor(expected - to * 0.003));
    });
  }

  it('handles ratios with more than 1024 phases (48000 -> 8001) by the nearest phase', () => {
    const out = convert(1000, 48000, 8001);
    expect(strongest(out, 8001, [950, 1000, 1050])).toBe(1000);
    const ms = (rmsLevel(out) * 32768) ** 2;
    // phase quantisation to 1/1024 of a sample keeps the error ~60 dB down
    expect(goertzelPower(out, 0, out.length, 1000, 8001) / ms).toBeGreaterThan(0.999);
  });

  it('processInto writes into a caller buffer without allocating output', () => {
    const r = new Resampler(48000, 8000);
    const out = new Int16Array(r.maxOutput(960));
    let total = 0;
    for (let k = 0; k < 10; k++) total += r.processInto(generateTone(1000, 0.02, 48000), out);
    // 10 x 160 samples minus the filter latency of 24 samples (3 ms).
    expect(total).toBe(1600 - 24);
  });

  it('averages interleaved stereo to mono (opposite channels cancel, equal channels pass)', () => {
    const mono = generateTone(1000, 0.2, 48000, 0.5);
    const same = new Int16Array(mono.length * 2);
    const opposite = new Int16Array(mono.length * 2);
    for (let i = 0; i < mono.length; i++) {
      same[2 * i] = same[2 * i + 1] = mono[i] as number;
      opposite[2 * i] = mono[i] as number;
      opposite[2 * i + 1] = -(mono[i] as number);
    }
    const a = new Resampler(48000, 8000, 2).process(same).subarray(100);
    const b = new Resampler(48000, 8000, 2).process(opposite).subarray(100);
    expect(rmsLevel(a)).toBeGreaterThan(0.3);
    expect(rmsLevel(b)).toBeLessThan(0.001);
    // Same rate, stereo: down-mix only.
    const c = new Resampler(8000, 8000, 2).process(new Int16Array([100, 300, -50, -150]));
    expect(Array.from(c)).toEqual([200, -100]);
  });

  it('passes a constant (DC) signal through unchanged after start-up', () => {
    const out = new Resampler(44100, 8000).process(new Int16Array(44100).fill(1000));
    expect(Array.from(out.subarray(200, 300)).every((v) => v === 1000)).toBe(true);
  });

  it('rejects bad rates and channel counts', () => {
    expect(() => new Resampler(0, 8000)).toThrow(/bad rates/);
    expect(() => new Resampler(8000, 8000.5)).toThrow(/bad rates/);
    expect(() => new Resampler(8000, 8000, 0)).toThrow(/channel/);
  });
});
