// ITU-T G.711 μ-law and A-law, bit-exact with the ITU-T G.191 STL reference (g711.c), table-driven.
//
// The STL reference takes 16-bit linear samples: A-law keeps the top 13 bits (magnitude >> 4 after a
// one's complement for negatives), μ-law the top 14 bits (>> 2, plus the 33 bias); expansion returns
// 16-bit values with the half-step added. The per-sample functions below are that algorithm; the bulk
// functions use tables built from them once, on first use (64 KiB per law for encoding, 256 entries
// for decoding), so the 20 ms path is one array lookup per sample.

/** 16-bit linear (-32768..32767) to an A-law code (ITU-T G.711 table 1a, STL `alaw_compress`). */
export function linearToAlaw(sample: number): number {
  const s = clamp16(sample);
  // One's complement for negatives, as the reference does: -1 maps to magnitude 0, like +0.
  let ix = s < 0 ? ~s >> 4 : s >> 4; // 0..2047 (12-bit magnitude of the 13-bit signal)
  if (ix > 15) {
    // Segment = position of the leading one (1..7); mantissa = the 4 bits after it.
    const exp = 31 - Math.clz32(ix) - 3; // ix in [16,2047] -> exp 1..7
    ix = (exp << 4) | ((ix >> (exp - 1)) & 0x0f);
  }
  if (s >= 0) ix |= 0x80;
  return ix ^ 0x55; // even-bit inversion (G.711 §2, "alternate digit inversion")
}

/** A-law code to 16-bit linear (STL `alaw_expand`: segment mid-points). */
export function alawToLinear(code: number): number {
  const c = code & 0xff;
  const ix = (c ^ 0x55) & 0x7f;
  const exp = ix >> 4;
  let mant = ix & 0x0f;
  if (exp > 0) mant += 16; // restore the implicit leading one
  mant = (mant << 4) + 8; // left-justify and add half a quantisation step
  if (exp > 1) mant <<= exp - 1;
  return c > 127 ? mant : -mant;
}

/** 16-bit linear to a μ-law code (ITU-T G.711 table 2a, STL `ulaw_compress`). */
export function linearToUlaw(sample: number): number {
  const s = clamp16(sample);
  // 14-bit magnitude plus the bias of 33 (the difference between the A-law and μ-law thresholds).
  let absno = (s < 0 ? ~s >> 2 : s >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  // Segment number 1..8 = bit length of (absno >> 6) plus one.
  const segno = 32 - Math.clz32(absno >> 6) + 1;
  const high = 8 - segno;
  const low = 0x0f - ((absno >> segno) & 0x0f);
  const code = (high << 4) | low;
  return s >= 0 ? code | 0x80 : code;
}

/** μ-law code to 16-bit linear (STL `ulaw_expand`). */
export function ulawToLinear(code: number): number {
  const c = code & 0xff;
  const inv = ~c;
  const exponent = (inv >> 4) & 0x07;
  const mantissa = inv & 0x0f;
  const step = 4 << (exponent + 1);
  const magnitude = (0x80 << exponent) + step * mantissa + step / 2 - 4 * 33;
  // Sign bit clear = negative; `0 - m` rather than `-m` so that code 0x7F gives 0, not -0.
  return c < 0x80 ? 0 - magnitude : magnitude;
}

function clamp16(sample: number): number {
  // Bad input (NaN, floats, out of range) must not produce garbage codes: round and saturate.
  if (!(sample === sample)) return 0;
  const v = Math.round(sample);
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

// Encoding tables indexed by the 16-bit sample as unsigned (sample & 0xffff), built on first use: a process
// whose calls all run on the native engine (issue 12) never needs them, and building them at load time
// cost every start-up 2 x 65536 calls and V8's optimising compiler three compilations.
interface Tables {
  ulawEncode: Uint8Array;
  alawEncode: Uint8Array;
  ulawDecode: Int16Array;
  alawDecode: Int16Array;
}
let built: Tables | null = null;

function tables(): Tables {
  if (built) return built;
  const t: Tables = { ulawEncode: new Uint8Array(65536), alawEncode: new Uint8Array(65536), ulawDecode: new Int16Array(256), alawDecode: new Int16Array(256) };
  for (let i = 0; i < 65536; i++) {
    const s = (i << 16) >> 16;
    t.ulawEncode[i] = linearToUlaw(s);
    t.alawEncode[i] = linearToAlaw(s);
  }
  for (let c = 0; c < 256; c++) {
    t.ulawDecode[c] = ulawToLinear(c);
    t.alawDecode[c] = alawToLinear(c);
  }
  return (built = t);
}

/** Encodes min(pcm.length, out.length) samples to μ-law; returns the number written. */
export function encodeUlaw(pcm: Int16Array, out: Uint8Array): number {
  const n = Math.min(pcm.length, out.length);
  const ULAW_ENCODE = tables().ulawEncode;
  for (let i = 0; i < n; i++) out[i] = ULAW_ENCODE[(pcm[i] as number) & 0xffff] as number;
  return n;
}

/** Decodes min(data.length, out.length) μ-law codes; returns the number of samples written. */
export function decodeUlaw(data: Uint8Array, out: Int16Array): number {
  const n = Math.min(data.length, out.length);
  const ULAW_DECODE = tables().ulawDecode;
  for (let i = 0; i < n; i++) out[i] = ULAW_DECODE[data[i] as number] as number;
  return n;
}

/** Encodes min(pcm.length, out.length) samples to A-law; returns the number written. */
export function encodeAlaw(pcm: Int16Array, out: Uint8Array): number {
  const n = Math.min(pcm.length, out.length);
  const ALAW_ENCODE = tables().alawEncode;
  for (let i = 0; i < n; i++) out[i] = ALAW_ENCODE[(pcm[i] as number) & 0xffff] as number;
  return n;
}

/** Decodes min(data.length, out.length) A-law codes; returns the number of samples written. */
export function decodeAlaw(data: Uint8Array, out: Int16Array): number {
  const n = Math.min(data.length, out.length);
  const ALAW_DECODE = tables().alawDecode;
  for (let i = 0; i < n; i++) out[i] = ALAW_DECODE[data[i] as number] as number;
  return n;
}
