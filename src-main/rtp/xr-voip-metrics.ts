// What goes into our RTCP XR VoIP Metrics block (RFC 3611 §4.7) and what a received one means: the
// burst/gap model with Gmin (§4.7.2), the E-model figures (e-model.ts), and the peer's block in plain
// units for the call's quality. Pure.

import { receiverQuality, type ReceiverMeasurements } from './e-model';
import { XR_UNAVAILABLE, type VoipMetricsBlock } from './rtcp-xr';

/** §4.7.2: the recommended gap threshold. */
export const GMIN = 16;

/**
 * Burst and gap accounting over the packets played so far (received or concealed), §4.7.2: a burst is
 * the longest run that starts and ends with a lost (or discarded) packet and holds fewer than Gmin
 * consecutive received packets; every other loss lies in a gap. A burst still open at a report counts
 * as closed (as if Gmin received packets followed).
 */
export class BurstGapTracker {
  private position = 0;
  private losses = 0;
  private open: { first: number; last: number; losses: number } | null = null;
  private bursts = 0;
  private burstPackets = 0;
  private burstLosses = 0;

  constructor(private readonly gmin = GMIN) {}

  /** One packet's turn in the play-out: played from a packet (false) or concealed (true). */
  observe(lost: boolean): void {
    const p = this.position++;
    if (!lost) return;
    this.losses++;
    if (this.open && p - this.open.last - 1 < this.gmin) {
      this.open.last = p;
      this.open.losses++;
      return;
    }
    this.close();
    this.open = { first: p, last: p, losses: 1 };
  }

  /** Densities (fractions 0..1) and mean durations in packets. */
  summary(): { burstDensity: number; gapDensity: number; burstPackets: number; gapPackets: number } {
    let bursts = this.bursts;
    let burstPackets = this.burstPackets;
    let burstLosses = this.burstLosses;
    if (this.open && this.open.losses >= 2) {
      bursts++;
      burstPackets += this.open.last - this.open.first + 1;
      burstLosses += this.open.losses;
    }
    const gapPackets = this.position - burstPackets;
    const gapLosses = this.losses - burstLosses;
    return {
      burstDensity: burstPackets > 0 ? burstLosses / burstPackets : 0,
      gapDensity: gapPackets > 0 ? gapLosses / gapPackets : 0,
      burstPackets: bursts > 0 ? burstPackets / bursts : 0,
      // Gaps lie between and around the bursts.
      gapPackets: gapPackets / (bursts + 1),
    };
  }

  private close(): void {
    const o = this.open;
    if (!o) return;
    // A lone loss with Gmin received packets on both sides is part of a gap, not a burst.
    if (o.losses >= 2) {
      this.bursts++;
      this.burstPackets += o.last - o.first + 1;
      this.burstLosses += o.losses;
    }
    this.open = null;
  }
}

export interface OurVoipMetrics {
  /** The stream we report on (the peer's SSRC). */
  remoteSsrc: number;
  measurements: ReceiverMeasurements;
  burstGap: BurstGapTracker;
  /** The jitter buffer now and at most (adaptive, §4.7: JB nominal / maximum / absolute maximum). */
  jitterBuffer: { nominalMs: number; maximumMs: number; absMaxMs: number };
  /** Levels of what we receive, in dBm0, when known. */
  signalDbm0?: number;
  noiseDbm0?: number;
}

/** Our VoIP Metrics block for the peer's stream, from the receiver's measurements and the E-model. */
export function voipMetricsBlock(m: OurVoipMetrics): VoipMetricsBlock {
  const r = m.measurements;
  const lost = Math.max(0, r.packetsLost);
  const expected = r.packetsReceived + lost;
  const frac = (part: number, whole: number): number => (whole > 0 ? Math.min(255, Math.floor((256 * part) / whole)) : 0);
  const bg = m.burstGap.summary();
  const score = receiverQuality(r);
  // MOS-LQ: listening quality, without the delay impairment (the listener does not talk); MOS-CQ with it.
  const listening = receiverQuality({ ...r, roundTripMs: 0, bufferDelayMs: 0, packetMs: 0, plcDelayMs: 0 });
  const endSystem = r.bufferDelayMs + 2 * r.packetMs + r.plcDelayMs;
  return {
    ssrc: m.remoteSsrc,
    lossRate: frac(lost, expected),
    discardRate: frac(Math.max(0, r.discarded), expected),
    burstDensity: Math.min(255, Math.floor(256 * bg.burstDensity)),
    gapDensity: Math.min(255, Math.floor(256 * bg.gapDensity)),
    burstDurationMs: Math.round(bg.burstPackets * r.packetMs),
    gapDurationMs: Math.round(bg.gapPackets * r.packetMs),
    roundTripMs: r.roundTripMs !== undefined ? Math.round(r.roundTripMs) : 0,
    endSystemDelayMs: Math.round(endSystem),
    signalLevel: m.signalDbm0 !== undefined ? Math.round(m.signalDbm0) : XR_UNAVAILABLE,
    noiseLevel: m.noiseDbm0 !== undefined ? Math.round(m.noiseDbm0) : XR_UNAVAILABLE,
    rerl: XR_UNAVAILABLE,
    gmin: GMIN,
    rFactor: score ? Math.round(score.r) : XR_UNAVAILABLE,
    extRFactor: XR_UNAVAILABLE,
    mosLq: listening ? Math.round(listening.mos * 10) : XR_UNAVAILABLE,
    mosCq: score ? Math.round(score.mos * 10) : XR_UNAVAILABLE,
    // PLC 11 = standard (G.711 Appendix I), JBA 11 = adaptive, rate 0 = not specified.
    rxConfig: 0xf0,
    jbNominalMs: Math.round(m.jitterBuffer.nominalMs),
    jbMaximumMs: Math.round(m.jitterBuffer.maximumMs),
    jbAbsMaxMs: Math.round(m.jitterBuffer.absMaxMs),
  };
}

/** A VoIP Metrics block in plain units: percentages, ms, dBm0; unavailable fields are left out. */
export interface VoipMetricsView {
  lossPercent: number;
  discardPercent: number;
  burstDensityPercent: number;
  gapDensityPercent: number;
  burstDurationMs: number;
  gapDurationMs: number;
  roundTripMs: number;
  endSystemDelayMs: number;
  signalDbm0?: number;
  noiseDbm0?: number;
  gmin: number;
  r?: number;
  mosLq?: number;
  mosCq?: number;
  jbNominalMs: number;
  jbMaximumMs: number;
  jbAbsMaxMs: number;
}

export function viewOfVoipMetrics(b: VoipMetricsBlock): VoipMetricsView {
  const pct = (x: number): number => Math.round((x / 256) * 1000) / 10;
  const mos = (x: number): number | undefined => (x >= 10 && x <= 50 ? x / 10 : undefined);
  const level = (x: number): number | undefined => (x === XR_UNAVAILABLE ? undefined : x);
  const v: VoipMetricsView = {
    lossPercent: pct(b.lossRate),
    discardPercent: pct(b.discardRate),
    burstDensityPercent: pct(b.burstDensity),
    gapDensityPercent: pct(b.gapDensity),
    burstDurationMs: b.burstDurationMs,
    gapDurationMs: b.gapDurationMs,
    roundTripMs: b.roundTripMs,
    endSystemDelayMs: b.endSystemDelayMs,
    gmin: b.gmin,
    jbNominalMs: b.jbNominalMs,
    jbMaximumMs: b.jbMaximumMs,
    jbAbsMaxMs: b.jbAbsMaxMs,
  };
  const s = level(b.signalLevel);
  const n = level(b.noiseLevel);
  if (s !== undefined) v.signalDbm0 = s;
  if (n !== undefined) v.noiseDbm0 = n;
  if (b.rFactor <= 100) v.r = b.rFactor;
  const lq = mos(b.mosLq);
  const cq = mos(b.mosCq);
  if (lq !== undefined) v.mosLq = lq;
  if (cq !== undefined) v.mosCq = cq;
  return v;
}
