// Checks G.711 against a literal transcription of the ITU-T G.191 STL g711.c loops (not our tables).
import { describe, expect, it } from 'vitest';
import {
  alawToLinear,
  decodeAlaw,
  decodeUlaw,
  encodeAlaw,
  encodeUlaw,
  linearToAlaw,
  linearToUlaw,
  ulawToLinear,
} from '../../../src-main/codec/g711';

// --- Reference: ITU-T G.191 STL g711.c, transcribed statement by statement (C `short` arithmetic). ---
function refAlawCompress(lin: number): number {
  let ix = lin < 0 ? ~lin >> 4 : lin >> 4;
  if (ix > 15) {
    let iexp = 1;
    while (ix > 16 + 15) {
      ix >>= 1;
      iexp++;
    }
    ix -= 16;
    ix += iexp << 4;
  }
  if (lin >= 0) ix |= 0x0080;
  return (ix ^ 0x0055) & 0xff;
}

function refAlawExpand(log: number): number {
  let ix = log ^ 0x0055;
  ix &= 0x007f;
  const iexp = ix >> 4;
  let mant = ix & 0x000f;
  if (iexp > 0) mant = mant + 16;
  mant = (mant << 4) + 0x0008;
  if (iexp > 1) mant = mant << (iexp - 1);
  return log > 127 ? mant : -mant;
}

function refUlawCompress(lin: number): number {
  let absno = lin < 0 ? (~lin >> 2) + 33 : (lin >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  let i = absno >> 6;
  let segno = 1;
  while (i !== 0) {
    segno++;
    i >>= 1;
  }
  const highNibble = 0x0008 - segno;
  let lowNibble = (absno >> segno) & 0x000f;
  lowNibble = 0x000f - lowNibble;
  let log = (highNibble << 4) | lowNibble;
  if (lin >= 0) log = log | 0x0080;
  return log & 0xff;
}

function refUlawExpand(log: number): number {
  const sign = log < 0x0080 ? -1 : 1;
  let mantissa = ~log;
  const exponent = (mantissa >> 4) & 0x0007;
  const segment = exponent + 1;
  mantissa = mantissa & 0x000f;
  const step = 4 << segment;
  return sign * ((0x0080 << exponent) + step * mantissa + step / 2 - 4 * 33) + 0; // + 0 folds C's -0 into 0
}

const allSamples = new Int16Array(65536);
for (let i = 0; i < 65536; i++) allSamples[i] = i - 32768;

describe('G.711 against the ITU-T G.191 reference', () => {
  it('encodes all 65,536 inputs like the reference (per-sample and bulk), both laws', () => {
    const bulkU = new Uint8Array(65536);
    const bulkA = new Uint8Array(65536);
    expect(encodeUlaw(allSamples, bulkU)).toBe(65536);
    expect(encodeAlaw(allSamples, bulkA)).toBe(65536);
    let mismatches = 0;
    for (let i = 0; i < 65536; i++) {
      const s = allSamples[i] as number;
      const u = refUlawCompress(s);
      const a = refAlawCompress(s);
      if (linearToUlaw(s) !== u || bulkU[i] !== u || linearToAlaw(s) !== a || bulkA[i] !== a) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('decodes all 256 codes to the reference values (per-code and bulk)', () => {
    const codes = new Uint8Array(256).map((_, i) => i);
    const outU = new Int16Array(256);
    const outA = new Int16Array(256);
    expect(decodeUlaw(codes, outU)).toBe(256);
    expect(decodeAlaw(codes, outA)).toBe(256);
    for (let c = 0; c < 256; c++) {
      expect(ulawToLinear(c)).toBe(refUlawExpand(c));
      expect(outU[c]).toBe(refUlawExpand(c));
      expect(alawToLinear(c)).toBe(refAlawExpand(c));
      expect(outA[c]).toBe(refAlawExpand(c));
    }
  });

  it('round-trips every code: encode(decode(code)) == code', () => {
    for (let c = 0; c < 256; c++) {
      expect(linearToAlaw(alawToLinear(c))).toBe(c);
      // Known exception: μ-law has two zeros; 0x7F ("negative zero") decodes to 0, and 0 encodes to
      // 0xFF ("positive zero"), exactly as in the reference.
      if (c === 0x7f) expect(linearToUlaw(ulawToLinear(c))).toBe(0xff);
      else expect(linearToUlaw(ulawToLinear(c))).toBe(c);
    }
  });

  it('matches known vectors', () => {
    expect(linearToUlaw(0)).toBe(0xff);
    expect(linearToAlaw(0)).toBe(0xd5);
    expect(ulawToLinear(0xff)).toBe(0);
    expect(ulawToLinear(0x7f)).toBe(0);
    expect(alawToLinear(0xd5)).toBe(8);
    expect(alawToLinear(0x55)).toBe(-8);
    // Full scale: μ-law 0x80 / 0x00 and A-law 0xAA / 0x2A are the largest codes.
    expect(linearToUlaw(32767)).toBe(0x80);
    expect(linearToUlaw(-32768)).toBe(0x00);
    expect(ulawToLinear(0x80)).toBe(32124);
    expect(ulawToLinear(0x00)).toBe(-32124);
    expect(linearToAlaw(32767)).toBe(0xaa);
    expect(linearToAlaw(-32768)).toBe(0x2a);
    expect(alawToLinear(0xaa)).toBe(32256);
  });

  it('saturates and sanitises out-of-range and non-integer input', () => {
    expect(linearToUlaw(100000)).toBe(linearToUlaw(32767));
    expect(linearToAlaw(-100000)).toBe(linearToAlaw(-32768));
    expect(linearToUlaw(Number.NaN)).toBe(0xff);
    expect(linearToAlaw(1000.4)).toBe(linearToAlaw(1000));
  });

  it('bulk functions stop at the shorter buffer', () => {
    const pcm = new Int16Array([1000, -1000, 5000]);
    const out = new Uint8Array(2);
    expect(encodeUlaw(pcm, out)).toBe(2);
    expect(Array.from(out)).toEqual([linearToUlaw(1000), linearToUlaw(-1000)]);
    const dec = new Int16Array(5);
    expect(decodeAlaw(new Uint8Array([0xd5, 0x55]), dec)).toBe(2);
    expect(Array.from(dec)).toEqual([8, -8, 0, 0, 0]);
  });
});
