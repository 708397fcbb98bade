// The G.107 E-model against its worked default (R = 93.2 with no impairment) and the G.711 loss
// robustness of G.113 Appendix I; MOS per G.107 Annex B.
import { describe, expect, it } from 'vitest';
import { burstRatio, delayImpairment, effectiveEquipmentImpairment, G711_NO_PLC, G711_WITH_PLC, mosFromR, quality, rFactor } from '../../../src-main/rtp/e-model';

describe('E-model (ITU-T G.107)', () => {
  it('gives R = 93.2 and MOS 4.41 for G.711 with no loss and no delay (the default connection)', () => {
    expect(rFactor({ packetLossPercent: 0, oneWayDelayMs: 0 })).toBeCloseTo(93.2, 1);
    expect(quality({ packetLossPercent: 0, oneWayDelayMs: 0 })).toEqual({ r: 93.2, mos: 4.41 });
    // Id at T = 0 is the listener-echo term alone (~0.15).
    expect(delayImpairment(0)).toBeCloseTo(0.15, 2);
  });

  it('uses Ie = 0 and Bpl = 25.1 for G.711 with Appendix I PLC, 4.3 without (G.113 Appendix I)', () => {
    expect(G711_WITH_PLC).toEqual({ ie: 0, bpl: 25.1 });
    expect(G711_NO_PLC).toEqual({ ie: 0, bpl: 4.3 });
    // Ie,eff = 95 Ppl / (Ppl + Bpl) for random loss.
    expect(effectiveEquipmentImpairment(G711_WITH_PLC, 1)).toBeCloseTo(95 / 26.1, 6);
    expect(effectiveEquipmentImpairment(G711_WITH_PLC, 5)).toBeCloseTo((95 * 5) / 30.1, 6);
    expect(effectiveEquipmentImpairment(G711_NO_PLC, 5)).toBeCloseTo((95 * 5) / 9.3, 6);
    expect(quality({ packetLossPercent: 5, oneWayDelayMs: 0 }).r).toBeCloseTo(93.2 - (95 * 5) / 30.1, 0);
    // Concealment is worth a lot: 5 % loss without it drops R by about 51.
    expect(rFactor({ packetLossPercent: 5, oneWayDelayMs: 0, codec: G711_NO_PLC })).toBeLessThan(43);
  });

  it('makes bursty loss worse than random loss of the same rate', () => {
    const random = rFactor({ packetLossPercent: 5, oneWayDelayMs: 50 });
    const bursty = rFactor({ packetLossPercent: 5, oneWayDelayMs: 50, burstRatio: 3 });
    expect(bursty).toBeLessThan(random - 1.5);
    // Isolated losses (every lost packet followed by a received one): random, BurstR 1.
    expect(burstRatio({ received: 950, lost: 50, receivedThenLost: 50, lostThenReceived: 50 })).toBe(1);
    // Runs of 5 lost packets: q = 0.2, p = 10/950.
    expect(burstRatio({ received: 950, lost: 50, receivedThenLost: 10, lostThenReceived: 10 })).toBeGreaterThan(4);
    expect(burstRatio({ received: 100, lost: 0, receivedThenLost: 0, lostThenReceived: 0 })).toBe(1);
  });

  it('lowers R as the delay grows, slowly up to 150 ms and steeply beyond (the G.114 curve)', () => {
    const r = (ms: number): number => rFactor({ packetLossPercent: 0, oneWayDelayMs: ms });
    expect(r(50)).toBeLessThan(r(0));
    expect(r(150)).toBeGreaterThan(88);
    expect(r(150)).toBeLessThan(r(100));
    expect(r(400)).toBeLessThan(r(150) - 15);
    expect(r(400)).toBeGreaterThan(55);
  });

  it('maps R to MOS per Annex B and stays in range for bad input', () => {
    expect(mosFromR(0)).toBe(1);
    expect(mosFromR(100)).toBe(4.5);
    expect(mosFromR(50)).toBeCloseTo(1 + 1.75 + 50 * -10 * 50 * 7e-6, 6);
    expect(quality({ packetLossPercent: Number.NaN, oneWayDelayMs: Number.POSITIVE_INFINITY }).r).toBeGreaterThanOrEqual(0);
    expect(quality({ packetLossPercent: 100, oneWayDelayMs: 2000 })).toEqual({ r: expect.any(Number), mos: expect.any(Number) });
    expect(quality({ packetLossPercent: 100, oneWayDelayMs: 2000 }).mos).toBeLessThan(1.5);
  });
});
