// RTCP Extended Reports (RFC 3611): the XR packet (PT 207) and its VoIP Metrics Report Block (BT=7,
// §4.7), written and read. Reading is for hostile input: a block that does not fit is dropped, never thrown.

import { readU32, writeU32 } from './rtp-packet';

export const PT_XR = 207;
/** RFC 3611 §4.7: block type 7, length 8 (nine 32-bit words including the header). */
const BT_VOIP_METRICS = 7;
const VOIP_METRICS_WORDS = 8;
const VOIP_METRICS_BYTES = 4 * (VOIP_METRICS_WORDS + 1);
/** More blocks than this in one XR packet is not a real report; the rest is ignored. */
const MAX_BLOCKS = 16;
/** §4.7: the value of a one-octet metric that is not available. */
export const XR_UNAVAILABLE = 127;

/**
 * The fields of a VoIP Metrics block as carried (§4.7): rates and densities are fractions x 256 (0..255),
 * durations and delays are ms, levels are signed dB (127 = unavailable), MOS values are x 10 (127 =
 * unavailable). `rxConfig` is PLC (2 bits), JBA (2 bits) and the jitter buffer rate (4 bits).
 */
export interface VoipMetricsBlock {
  ssrc: number;
  lossRate: number;
  discardRate: number;
  burstDensity: number;
  gapDensity: number;
  burstDurationMs: number;
  gapDurationMs: number;
  roundTripMs: number;
  endSystemDelayMs: number;
  signalLevel: number;
  noiseLevel: number;
  rerl: number;
  gmin: number;
  rFactor: number;
  extRFactor: number;
  mosLq: number;
  mosCq: number;
  rxConfig: number;
  jbNominalMs: number;
  jbMaximumMs: number;
  jbAbsMaxMs: number;
}

export interface XrPacket {
  /** SSRC of the XR's sender. */
  ssrc: number;
  voipMetrics: VoipMetricsBlock[];
  /** Blocks skipped: other block types, or VoIP Metrics blocks of the wrong length. */
  skipped: number;
}

/** Length in octets of an XR packet carrying `blocks` VoIP Metrics blocks. */
export function xrLength(blocks: number): number {
  return 8 + VOIP_METRICS_BYTES * blocks;
}

/** Writes an XR packet at `at` in `out`; returns its length, or 0 when it does not fit. */
export function writeXr(ssrc: number, blocks: readonly VoipMetricsBlock[], out: Uint8Array, at: number): number {
  const len = xrLength(blocks.length);
  if (at + len > out.length) return 0;
  out[at] = 0x80; // V=2, P=0, reserved
  out[at + 1] = PT_XR;
  out[at + 2] = ((len / 4 - 1) >> 8) & 0xff;
  out[at + 3] = (len / 4 - 1) & 0xff;
  writeU32(out, at + 4, ssrc);
  let o = at + 8;
  for (const b of blocks) {
    out[o] = BT_VOIP_METRICS;
    out[o + 1] = 0;
    out[o + 2] = 0;
    out[o + 3] = VOIP_METRICS_WORDS;
    writeU32(out, o + 4, b.ssrc);
    out[o + 8] = u8(b.lossRate);
    out[o + 9] = u8(b.discardRate);
    out[o + 10] = u8(b.burstDensity);
    out[o + 11] = u8(b.gapDensity);
    u16(out, o + 12, b.burstDurationMs);
    u16(out, o + 14, b.gapDurationMs);
    u16(out, o + 16, b.roundTripMs);
    u16(out, o + 18, b.endSystemDelayMs);
    out[o + 20] = s8(b.signalLevel);
    out[o + 21] = s8(b.noiseLevel);
    out[o + 22] = u8(b.rerl);
    out[o + 23] = u8(b.gmin);
    out[o + 24] = u8(b.rFactor);
    out[o + 25] = u8(b.extRFactor);
    out[o + 26] = u8(b.mosLq);
    out[o + 27] = u8(b.mosCq);
    out[o + 28] = u8(b.rxConfig);
    out[o + 29] = 0;
    u16(out, o + 30, b.jbNominalMs);
    u16(out, o + 32, b.jbMaximumMs);
    u16(out, o + 34, b.jbAbsMaxMs);
    o += VOIP_METRICS_BYTES;
  }
  return len;
}

/**
 * Reads the body of an XR packet (after its 4-octet header: the sender SSRC, then report blocks, §2).
 * Null when even the SSRC is missing. Each block's length is checked against what is left; a block that
 * overruns ends the parse (the blocks read so far are kept), a VoIP Metrics block of the wrong length is
 * skipped, and at most 16 blocks are looked at.
 */
export function parseXr(body: Uint8Array): XrPacket | null {
  if (body.length < 4) return null;
  const packet: XrPacket = { ssrc: readU32(body, 0), voipMetrics: [], skipped: 0 };
  let o = 4;
  for (let n = 0; n < MAX_BLOCKS && o + 4 <= body.length; n++) {
    const bt = body[o] as number;
    const bytes = 4 * ((((body[o + 2] as number) << 8) | (body[o + 3] as number)) + 1);
    if (o + bytes > body.length) {
      packet.skipped++;
      break;
    }
    if (bt === BT_VOIP_METRICS && bytes === VOIP_METRICS_BYTES) packet.voipMetrics.push(readVoipMetrics(body, o));
    else packet.skipped++;
    o += bytes;
  }
  return packet;
}

function readVoipMetrics(b: Uint8Array, o: number): VoipMetricsBlock {
  const r16 = (at: number): number => ((b[at] as number) << 8) | (b[at + 1] as number);
  const i8 = (at: number): number => (((b[at] as number) << 24) >> 24);
  return {
    ssrc: readU32(b, o + 4),
    lossRate: b[o + 8] as number,
    discardRate: b[o + 9] as number,
    burstDensity: b[o + 10] as number,
    gapDensity: b[o + 11] as number,
    burstDurationMs: r16(o + 12),
    gapDurationMs: r16(o + 14),
    roundTripMs: r16(o + 16),
    endSystemDelayMs: r16(o + 18),
    signalLevel: i8(o + 20),
    noiseLevel: i8(o + 21),
    rerl: b[o + 22] as number,
    gmin: b[o + 23] as number,
    rFactor: b[o + 24] as number,
    extRFactor: b[o + 25] as number,
    mosLq: b[o + 26] as number,
    mosCq: b[o + 27] as number,
    rxConfig: b[o + 28] as number,
    jbNominalMs: r16(o + 30),
    jbMaximumMs: r16(o + 32),
    jbAbsMaxMs: r16(o + 34),
  };
}

function u8(v: number): number {
  return Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v))) : 0;
}
function s8(v: number): number {
  return (Number.isFinite(v) ? Math.max(-128, Math.min(127, Math.round(v))) : XR_UNAVAILABLE) & 0xff;
}
function u16(out: Uint8Array, at: number, v: number): void {
  const x = Number.isFinite(v) ? Math.max(0, Math.min(0xffff, Math.round(v))) : 0;
  out[at] = x >> 8;
  out[at + 1] = x & 0xff;
}
