// Tone generation and analysis: Goertzel power, coverage of a tone over time, peak and RMS levels.
import { describe, expect, it } from 'vitest';
import { generateTone, goertzelPower, levelToDb, peakLevel, rmsLevel, toneCoverage } from '../../../src-main/audio/tone-analysis';
import { decodeUlaw, encodeUlaw } from '../../../src-main/codec/g711';

describe('tone analysis', () => {
  it('generates a tone of the asked frequency, length and amplitude', () => {
    const t = generateTone(1000, 0.5, 8000, 0.25);
    expect(t).toHaveLength(4000);
    expect(peakLevel(t)).toBeCloseTo(0.25, 3);
    expect(rmsLevel(t)).toBeCloseTo(0.25 / Math.SQRT2, 3);
    // 1 kHz at 8 kHz: 8 samples per period, so t[2] is the crest
    expect(t[2]).toBe(Math.round(0.25 * 32767));
    expect(generateTone(440, 0.1, 48000)).toHaveLength(4800);
    expect(peakLevel(generateTone(440, 0.1, 48000))).toBeCloseTo(0.5, 3);
  });

  it('measures the power of a frequency component as a mean square (A²/2)', () => {
    const a = 0.5 * 32767;
    const t = generateTone(1000, 0.1, 8000, 0.5);
    expect(goertzelPower(t, 0, 800, 1000, 8000) / ((a * a) / 2)).toBeCloseTo(1, 2);
    expect(goertzelPower(t, 0, 800, 1500, 8000) / ((a * a) / 2)).toBeLessThan(1e-4);
    // non-bin-aligned frequency still measured at its exact frequency
    const odd = generateTone(697, 0.1, 8000, 0.5);
    expect(goertzelPower(odd, 0, 800, 697, 8000) / ((a * a) / 2)).toBeGreaterThan(0.98);
    // out-of-range windows are clipped, empty windows have no power
    expect(goertzelPower(t, 790, 100, 1000, 8000)).toBeGreaterThan(0);
    expect(goertzelPower(t, 900, 100, 1000, 8000)).toBe(0);
  });

  it('gives full coverage for a clean tone and none for silence, noise or the wrong tone', () => {
    const tone = generateTone(1000, 1, 8000);
    expect(toneCoverage(tone, 8000, 1000)).toBe(1);
    expect(toneCoverage(tone, 8000, 400)).toBe(0);
    expect(toneCoverage(new Int16Array(8000), 8000, 1000)).toBe(0);
    let seed = 9;
    const noise = Int16Array.from({ length: 8000 }, () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 20000) - 10000);
    expect(toneCoverage(noise, 8000, 1000)).toBeLessThan(0.05);
    expect(toneCoverage(new Int16Array(10), 8000, 1000)).toBe(0);
  });

  it('measures the covered fraction: half tone, half silence gives 0.5', () => {
    const s = new Int16Array(16000);
    s.set(generateTone(1000, 1, 8000), 0);
    expect(toneCoverage(s, 8000, 1000)).toBeCloseTo(0.5, 2);
    // a quiet tone under minRms does not count
    expect(toneCoverage(generateTone(1000, 1, 8000, 0.005), 8000, 1000)).toBe(0);
    expect(toneCoverage(generateTone(1000, 1, 8000, 0.005), 8000, 1000, { minRms: 0.001 })).toBe(1);
  });

  it('survives G.711 coding and rejects windows where another listed tone is strong', () => {
    const tone = generateTone(1000, 1, 8000, 0.5);
    const codes = new Uint8Array(tone.length);
    encodeUlaw(tone, codes);
    const decoded = new Int16Array(tone.length);
    decodeUlaw(codes, decoded);
    expect(toneCoverage(decoded, 8000, 1000, { otherFreqs: [400, 2000] })).toBe(1);
    // three equal tones: none holds most of the power; two equal tones (DTMF 770 + 1336 Hz) fail the
    // 10 dB check against each other
    const t770 = generateTone(770, 1, 8000, 0.3);
    const t1336 = generateTone(1336, 1, 8000, 0.3);
    const t2000 = generateTone(2000, 1, 8000, 0.3);
    const mix3 = t770.map((v, i) => v + (t1336[i] as number) + (t2000[i] as number));
    expect(toneCoverage(mix3, 8000, 770)).toBe(0);
    const dtmf = t770.map((v, i) => v + (t1336[i] as number));
    expect(toneCoverage(dtmf, 8000, 770, { otherFreqs: [1336] })).toBe(0);
    expect(toneCoverage(dtmf, 8000, 1336, { otherFreqs: [770] })).toBe(0);
    // dominant tone with a weaker second tone 6 dB down: dominant passes alone, fails the 10 dB check
    const t1500 = generateTone(1500, 1, 8000, 0.25);
    const lop = generateTone(1000, 1, 8000, 0.5).map((v, i) => v + (t1500[i] as number));
    expect(toneCoverage(lop, 8000, 1000)).toBe(1);
    expect(toneCoverage(lop, 8000, 1000, { otherFreqs: [1500] })).toBe(0);
  });

  it('reports peak and RMS levels in 0..1 and dBFS', () => {
    expect(peakLevel(Int16Array.from([0, -32768, 100]))).toBe(1);
    expect(peakLevel(new Int16Array(0))).toBe(0);
    expect(rmsLevel(new Int16Array(0))).toBe(0);
    expect(rmsLevel(Int16Array.from([16384, -16384]))).toBe(0.5);
    expect(levelToDb(0.5)).toBeCloseTo(-6.02, 2);
    expect(levelToDb(0)).toBe(-Infinity);
  });
});
