// Call quality score: the ITU-T G.107 E-model (transmission rating R and the MOS it predicts), fed with
// what a receiver measures: packet loss (lost and discarded), how bursty it is, and the mouth-to-ear delay.
//
// G.107 (06/2015) §3: R = Ro - Is - Id - Ie,eff + A. Everything but delay and loss is left at the
// default values of Table 1 (the terminals are not known), which gives R = 93.2 for an unimpaired
// connection. Equipment impairment and loss robustness of the codecs come from ITU-T G.113 Appendix I.

/** Per codec: Ie (equipment impairment) and Bpl (packet-loss robustness), G.113 Appendix I Tables I.1/I.3. */
export interface CodecImpairment {
  ie: number;
  bpl: number;
}

/** G.711 with the Appendix I concealment this softphone plays lost packets with. */
export const G711_WITH_PLC: CodecImpairment = Object.freeze({ ie: 0, bpl: 25.1 });
/** G.711 with no concealment (random loss): for comparison. */
export const G711_NO_PLC: CodecImpairment = Object.freeze({ ie: 0, bpl: 4.3 });

export interface EModelInput {
  /** Packet loss probability in percent (lost in the network plus discarded by the jitter buffer). */
  packetLossPercent: number;
  /** BurstR (§3.6): 1 = random loss, > 1 = bursty. Default 1. */
  burstRatio?: number;
  /** Mouth-to-ear one-way delay in ms: used as T (echo path) and Ta (absolute), with Tr = 2 T. */
  oneWayDelayMs: number;
  codec?: CodecImpairment;
}

export interface Quality {
  /** Transmission rating, 0..100 (one decimal). */
  r: number;
  /** Mean opinion score predicted from R (G.107 Annex B), 1..4.5 (two decimals). */
  mos: number;
}

// G.107 Table 1 default values.
const SLR = 8;
const RLR = 2;
const STMR = 15;
const LSTR = 18;
const DS = 3;
const TELR = 65;
const WEPL = 110;
const QDU = 1;
const NC = -70;
const NFOR = -64;
const PS = 35;
const PR = 35;
const A = 0;

const log10 = Math.log10;

/** The parts of R that do not depend on delay or loss (§3.3, §3.4): Ro, Is, and No for the echo terms. */
function basics(): { ro: number; is: number; no: number } {
  const olr = SLR + RLR;
  const nos = PS - SLR - DS - 100 + 0.004 * (PS - olr - DS - 14) ** 2;
  const pre = PR + 10 * log10(1 + 10 ** ((10 - LSTR) / 10));
  const nor = RLR - 121 + pre + 0.008 * (pre - 35) ** 2;
  const nfo = NFOR + RLR;
  const no = 10 * log10(10 ** (NC / 10) + 10 ** (nos / 10) + 10 ** (nor / 10) + 10 ** (nfo / 10));
  const ro = 15 - 1.5 * (SLR + no);
  // §3.4 simultaneous impairments: loudness (Iolr), sidetone (Ist), quantisation (Iq).
  const xolr = olr + 0.2 * (64 + no - RLR);
  const iolr = 20 * ((1 + (xolr / 8) ** 8) ** (1 / 8) - xolr / 8);
  const stmro = -10 * log10(10 ** (-STMR / 10) + Math.exp(-0 / 4) * 10 ** (-TELR / 10));
  const ist = 12 * (1 + ((stmro - 13) / 6) ** 8) ** (1 / 8) - 28 * (1 + ((stmro + 1) / 19.4) ** 35) ** (1 / 35) - 13 * (1 + ((stmro - 3) / 33) ** 13) ** (1 / 13) + 29;
  const q = 37 - 15 * log10(QDU);
  const g = 1.07 + 0.258 * q + 0.0602 * q * q;
  const y = (ro - 100) / 15 + 46 / 8.4 - g / 9;
  const z = 46 / 30 - g / 40;
  const iq = 15 * log10(1 + 10 ** y + 10 ** z);
  return { ro, is: iolr + ist + iq, no };
}

const BASICS = basics();

/** §3.5 delay impairment Id = Idte + Idle + Idd for mean one-way delay T (= Ta, Tr = 2T). */
export function delayImpairment(oneWayMs: number): number {
  const t = Math.max(0, oneWayMs);
  const ta = t;
  const tr = 2 * t;
  const { ro, no } = BASICS;
  // Talker echo (Idte), with TELR and the default STMR (>= 9: no sidetone correction).
  const terv = TELR - 40 * log10((1 + t / 10) / (1 + t / 150)) + 6 * Math.exp(-0.3 * t * t);
  const roe = -1.5 * (no - RLR);
  const re = 80 + 2.5 * (terv - 14);
  const idte = ((roe - re) / 2 + Math.sqrt((roe - re) ** 2 / 4 + 100) - 1) * (1 - Math.exp(-t));
  // Listener echo (Idle).
  const rle = 10.5 * (WEPL + 7) * (tr + 1) ** -0.25;
  const idle = (ro - rle) / 2 + Math.sqrt((ro - rle) ** 2 / 4 + 169);
  // Absolute delay (Idd): nothing up to 100 ms (mT = 100, sT = 1).
  let idd = 0;
  if (ta > 100) {
    const x = log10(ta / 100) / log10(2);
    idd = 25 * ((1 + x ** 6) ** (1 / 6) - 3 * (1 + (x / 3) ** 6) ** (1 / 6) + 2);
  }
  return idte + idle + idd;
}

/** §3.6 effective equipment impairment: Ie,eff = Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl). */
export function effectiveEquipmentImpairment(codec: CodecImpairment, packetLossPercent: number, burstRatio = 1): number {
  const ppl = Math.min(100, Math.max(0, packetLossPercent));
  const burst = burstRatio >= 1 && Number.isFinite(burstRatio) ? burstRatio : 1;
  return codec.ie + ((95 - codec.ie) * ppl) / (ppl / burst + codec.bpl);
}

/** G.107 Annex B: MOS (conversational quality, CQE) from R. */
export function mosFromR(r: number): number {
  if (r <= 0) return 1;
  if (r >= 100) return 4.5;
  return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

/** R without rounding. */
export function rFactor(input: EModelInput): number {
  const codec = input.codec ?? G711_WITH_PLC;
  const delay = Number.isFinite(input.oneWayDelayMs) ? input.oneWayDelayMs : 0;
  const loss = Number.isFinite(input.packetLossPercent) ? input.packetLossPercent : 0;
  const r = BASICS.ro - BASICS.is - delayImpairment(delay) - effectiveEquipmentImpairment(codec, loss, input.burstRatio) + A;
  return Math.min(100, Math.max(0, r));
}

export function quality(input: EModelInput): Quality {
  const r = rFactor(input);
  return { r: Math.round(r * 10) / 10, mos: Math.round(mosFromR(r) * 100) / 100 };
}

/**
 * BurstR from a receiver's loss runs (G.107 §3.6, the two-state Markov model): p = P(loss | last
 * received), q = P(received | last lost), BurstR = 1 / (p + q). 1 when there is too little to tell.
 */
export function burstRatio(counts: { received: number; lost: number; receivedThenLost: number; lostThenReceived: number }): number {
  if (counts.received <= 0 || counts.lost <= 0) return 1;
  const p = counts.receivedThenLost / counts.received;
  const q = counts.lostThenReceived / counts.lost;
  if (!(p + q > 0)) return 1;
  return Math.max(1, 1 / (p + q));
}

/** What a receiver knows at any moment of a call (media-stream.ts keeps these). */
export interface ReceiverMeasurements {
  packetsReceived: number;
  /** RFC 3550 cumulative loss (may be negative with duplicates). */
  packetsLost: number;
  /** Received but not played: too late for the jitter buffer, or dropped to cut its delay. */
  discarded: number;
  /** RTCP round trip (RFC 3550 §6.4.1), when known; its half is the network's one-way delay. */
  roundTripMs?: number;
  /** The jitter buffer's delay, the packet duration and the concealment's look-ahead, all in ms. */
  bufferDelayMs: number;
  packetMs: number;
  plcDelayMs: number;
  /** Frames played from packets / concealed, and the changes between the two (for BurstR). */
  runs: { received: number; lost: number; receivedThenLost: number; lostThenReceived: number };
  codec?: CodecImpairment;
}

/**
 * The call's score as the receiver sees it. Loss = (lost + discarded) / expected (G.107 §3.6: Ppl
 * counts every packet not played); delay = RTT / 2 + jitter buffer + packetisation + PLC look-ahead
 * (without an RTT yet, the network's share is taken as 0). Null before any packet arrived.
 */
export function receiverQuality(m: ReceiverMeasurements): Quality | null {
  const lost = Math.max(0, m.packetsLost);
  const expected = m.packetsReceived + lost;
  if (expected <= 0) return null;
  const ppl = (100 * Math.min(expected, lost + Math.max(0, m.discarded))) / expected;
  const oneWay = (m.roundTripMs ?? 0) / 2 + m.bufferDelayMs + m.packetMs + m.plcDelayMs;
  return quality({ packetLossPercent: ppl, oneWayDelayMs: oneWay, burstRatio: burstRatio(m.runs), ...(m.codec ? { codec: m.codec } : {}) });
}
