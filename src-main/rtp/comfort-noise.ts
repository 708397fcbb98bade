// RFC 3389 comfort noise (CN) payloads: the noise level byte and the optional quantised reflection
// coefficients, and levels in dBov for 16-bit PCM. Pure; the generator and the VAD are separate files.

/** RFC 3551 §6 (Table 4): static payload type 13 is CN at 8000 Hz (RFC 3389 §4 for other rates). */
export const CN_PAYLOAD_TYPE = 13;
/** RFC 3389 §3: the level byte's 7 bits carry 0..127 = 0..-127 dBov. */
export const MAX_NOISE_LEVEL = 127;
/** RFC 3389 §3.2 puts no limit on the model order; a payload beyond this is not a real noise model. */
export const MAX_CN_ORDER = 32;
/**
 * RFC 3389 §3: 0 dBov is the overload point, a full-scale square wave. For 16-bit linear PCM that is a
 * square wave of +-32768, whose RMS is 32768.
 */
const FULL_SCALE_RMS = 32768;

export interface ComfortNoise {
  /** Noise level in -dBov (0..127): 40 means -40 dBov. */
  level: number;
  /** Reflection coefficients k1..kM in (-1, 1); empty = white noise (M = 0). */
  coefficients: number[];
}

/**
 * Reads a CN payload (RFC 3389 §3): byte 1 is the level (the most significant bit is reserved: ignored
 * on receipt), bytes 2..M+1 are the reflection coefficients, each quantised as N = round(k * 128) + 127
 * (so k = (N - 127) / 128). Null for an empty or oversized payload (hostile input).
 */
export function parseComfortNoise(payload: Uint8Array): ComfortNoise | null {
  if (payload.length < 1 || payload.length > 1 + MAX_CN_ORDER) return null;
  const level = (payload[0] as number) & 0x7f;
  const coefficients: number[] = [];
  for (let i = 1; i < payload.length; i++) coefficients.push(((payload[i] as number) - 127) / 128);
  return { level, coefficients };
}

/** Writes a CN payload into `out`; returns its length (0 when `out` is too small). */
export function writeComfortNoise(cn: ComfortNoise, out: Uint8Array): number {
  const order = Math.min(MAX_CN_ORDER, cn.coefficients.length);
  if (out.length < 1 + order) return 0;
  out[0] = clampLevel(cn.level);
  for (let i = 0; i < order; i++) {
    const k = cn.coefficients[i] as number;
    out[1 + i] = Math.max(0, Math.min(255, Math.round((Number.isFinite(k) ? k : 0) * 128) + 127));
  }
  return 1 + order;
}

/** A level in -dBov as the level byte carries it: an integer 0..127. */
export function clampLevel(level: number): number {
  if (!Number.isFinite(level)) return MAX_NOISE_LEVEL;
  return Math.max(0, Math.min(MAX_NOISE_LEVEL, Math.round(level)));
}

/** The RMS level of 16-bit samples in dBov (-Infinity for digital silence). */
export function dbov(samples: Int16Array, length = samples.length): number {
  const n = Math.min(length, samples.length);
  if (n <= 0) return Number.NEGATIVE_INFINITY;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const s = samples[i] as number;
    sum += s * s;
  }
  return sum === 0 ? Number.NEGATIVE_INFINITY : 10 * Math.log10(sum / n / (FULL_SCALE_RMS * FULL_SCALE_RMS));
}

/** The RMS (in 16-bit sample units) of noise at `level` -dBov. */
export function rmsOfLevel(level: number): number {
  return FULL_SCALE_RMS * 10 ** (-level / 20);
}
