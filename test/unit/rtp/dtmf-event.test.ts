// RFC 4733 telephone-event payloads and the packet plan for one digit.
import { describe, expect, it } from 'vitest';
import { decodeDtmfEvent, dtmfDigit, dtmfEventCode, dtmfPacketPlan, encodeDtmfEvent } from '../../../src-main/rtp/dtmf-event';

describe('RFC 4733 DTMF events', () => {
  it('maps digits to event codes (§3.2) and back', () => {
    expect([...'0123456789*#ABCD'].map(dtmfEventCode)).toEqual([...Array(16).keys()]);
    expect(dtmfEventCode('a')).toBe(12);
    expect(dtmfEventCode('d')).toBe(15);
    expect(dtmfEventCode('E')).toBe(-1);
    expect(dtmfEventCode('')).toBe(-1);
    expect(dtmfEventCode('12')).toBe(-1);
    expect(dtmfDigit(11)).toBe('#');
    expect(dtmfDigit(16)).toBeUndefined();
  });

  it('encodes the payload bit-exactly (§2.3) and decodes it back', () => {
    const out = new Uint8Array(4);
    expect(encodeDtmfEvent({ event: 11, end: true, volume: 10, duration: 800 }, out)).toBe(4);
    expect(Array.from(out)).toEqual([0x0b, 0x8a, 0x03, 0x20]);
    expect(decodeDtmfEvent(out)).toEqual({ event: 11, end: true, volume: 10, duration: 800 });
    encodeDtmfEvent({ event: 5, end: false, volume: 99, duration: 100000 }, out);
    expect(decodeDtmfEvent(out)).toEqual({ event: 5, end: false, volume: 63, duration: 65535 });
    // the reserved R bit is ignored on receipt
    expect(decodeDtmfEvent(Uint8Array.from([1, 0x40 | 7, 0, 160]))).toEqual({ event: 1, end: false, volume: 7, duration: 160 });
    expect(encodeDtmfEvent({ event: 1, end: false, volume: 10, duration: 1 }, new Uint8Array(3))).toBe(0);
    expect(decodeDtmfEvent(new Uint8Array(3))).toBeNull();
  });

  it('plans a 100 ms digit at 20 ms ptime: marker first, growing duration, end sent 3 times', () => {
    const plan = dtmfPacketPlan('5', 100, 20);
    expect(plan.map((p) => [p.marker, p.end, p.duration])).toEqual([
      [true, false, 160],
      [false, false, 320],
      [false, false, 480],
      [false, false, 640],
      [false, true, 800],
      [false, true, 800],
      [false, true, 800],
    ]);
    expect(plan.every((p) => p.event === 5 && p.volume === 10 && p.timestampOffset === 0)).toBe(true);
  });

  it('rounds odd durations up to whole ticks, clamps extremes, rejects non-digits', () => {
    expect(dtmfPacketPlan('#', 90, 20).filter((p) => p.end)[0]?.duration).toBe(800);
    expect(dtmfPacketPlan('1', 10, 20)).toHaveLength(2 + 2); // 40 ms minimum
    const long = dtmfPacketPlan('1', 60_000, 20);
    expect(long[long.length - 1]?.duration).toBe(40000); // 5 s at 8 kHz
    expect(dtmfPacketPlan('1', 100, 30, { clockRate: 8000, volume: 3 }).map((p) => p.duration)).toEqual([240, 480, 720, 960, 960, 960]);
    expect(dtmfPacketPlan('x', 100, 20)).toEqual([]);
    expect(dtmfPacketPlan('1', Number.NaN, 0)).toHaveLength(5 + 2);
  });
});
