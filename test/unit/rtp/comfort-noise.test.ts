// RFC 3389 comfort noise: the payload read and written (hostile input included), levels in dBov, and
// the generator's output level, white and spectrally shaped.
import { describe, expect, it } from 'vitest';
import { clampLevel, dbov, parseComfortNoise, rmsOfLevel, writeComfortNoise } from '../../../src-main/rtp/comfort-noise';
import { ComfortNoiseGenerator } from '../../../src-main/rtp/comfort-noise-generator';

describe('CN payload (RFC 3389 §3)', () => {
  it('writes the level byte and the quantised reflection coefficients, and reads them back', () => {
    const out = new Uint8Array(8);
    const n = writeComfortNoise({ level: 62, coefficients: [0.5, -0.25, 0] }, out);
    expect(n).toBe(4);
    expect([...out.subarray(0, n)]).toEqual([62, 191, 95, 127]);
    expect(parseComfortNoise(out.subarray(0, n))).toEqual({ level: 62, coefficients: [0.5, -0.25, 0] });
  });

  it('sends a level-only packet (M = 0) as one octet', () => {
    const out = new Uint8Array(4);
    expect(writeComfortNoise({ level: 60, coefficients: [] }, out)).toBe(1);
    expect(out[0]).toBe(60);
  });

  it('ignores the reserved most significant bit and refuses empty or oversized payloads', () => {
    expect(parseComfortNoise(Uint8Array.of(0x80 | 45))?.level).toBe(45);
    expect(parseComfortNoise(new Uint8Array(0))).toBeNull();
    expect(parseComfortNoise(new Uint8Array(200))).toBeNull();
  });

  it('clamps levels to 0..127 and measures dBov against a full-scale square wave', () => {
    expect(clampLevel(-3)).toBe(0);
    expect(clampLevel(300)).toBe(127);
    expect(clampLevel(Number.NaN)).toBe(127);
    expect(dbov(new Int16Array(160).fill(32767))).toBeCloseTo(0, 2);
    expect(dbov(new Int16Array(160).fill(328))).toBeCloseTo(-40, 1);
    expect(dbov(new Int16Array(160))).toBe(Number.NEGATIVE_INFINITY);
    expect(rmsOfLevel(40)).toBeCloseTo(327.68, 1);
  });
});

describe('ComfortNoiseGenerator', () => {
  const levelOf = (g: ComfortNoiseGenerator, seconds = 2): number => {
    const out = new Int16Array(8000 * seconds);
    g.fill(out);
    return dbov(out);
  };

  it('plays white noise at the signalled level', () => {
    for (const level of [30, 50, 70]) {
      const g = new ComfortNoiseGenerator(1234);
      g.set({ level, coefficients: [] });
      expect(levelOf(g)).toBeCloseTo(-level, 0);
    }
  });

  /** Normalised lag-1 autocorrelation: 0 for white noise, -k for the one-pole filter of k. */
  const lag1 = (x: Int16Array): number => {
    let num = 0;
    let den = 0;
    for (let i = 1; i < x.length; i++) {
      num += (x[i] as number) * (x[i - 1] as number);
      den += (x[i] as number) * (x[i] as number);
    }
    return num / den;
  };

  it('keeps the level when reflection coefficients shape the spectrum, and the shape follows them', () => {
    for (const k of [0.9, -0.6]) {
      const g = new ComfortNoiseGenerator(99);
      g.set({ level: 50, coefficients: [k] });
      const shaped = new Int16Array(16000);
      g.fill(shaped);
      expect(dbov(shaped)).toBeGreaterThan(-51);
      expect(dbov(shaped)).toBeLessThan(-49);
      expect(lag1(shaped)).toBeCloseTo(-k, 1);
    }
    const w = new ComfortNoiseGenerator(99);
    w.set({ level: 50, coefficients: [] });
    const white = new Int16Array(16000);
    w.fill(white);
    expect(Math.abs(lag1(white))).toBeLessThan(0.05);
  });

  it('keeps the level with a higher-order model', () => {
    const g = new ComfortNoiseGenerator(3);
    g.set({ level: 40, coefficients: [0.5, -0.3, 0.2, 0.1] });
    expect(levelOf(g)).toBeCloseTo(-40, 0);
  });

  it('stays bounded with hostile coefficients (a 0xFF byte means k = 1.0)', () => {
    const bytes = Uint8Array.of(10, 255, 255, 0, 255, 0, 255);
    const cn = parseComfortNoise(bytes);
    expect(cn).not.toBeNull();
    const g = new ComfortNoiseGenerator(5);
    g.set(cn!);
    const out = new Int16Array(8000);
    g.fill(out);
    expect(out.every((s) => Number.isFinite(s))).toBe(true);
    expect(dbov(out)).toBeLessThan(0.1);
  });

  it('is silent at level 127', () => {
    const g = new ComfortNoiseGenerator(7);
    g.set({ level: 127, coefficients: [] });
    const out = new Int16Array(160);
    g.fill(out);
    expect(out.every((s) => s === 0)).toBe(true);
  });
});
