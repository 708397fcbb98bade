// RTP sender state: random initial values, sequence/timestamp progression, marker bit, counters.
import { describe, expect, it } from 'vitest';
import { RtpSender } from '../../../src-main/rtp/rtp-sender';

const fixed = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length] as number;
};

describe('RtpSender', () => {
  it('takes SSRC, sequence and timestamp from the random source (RFC 3550 §5.1)', () => {
    const s = new RtpSender(fixed(0.5, 0.25, 0.75));
    expect(s.ssrc).toBe(0x80000000);
    expect(s.sequenceNumber).toBe(0x4000);
    expect(s.timestamp).toBe(0xc0000000);
    const a = new RtpSender(Math.random);
    const b = new RtpSender(Math.random);
    expect(a.ssrc === b.ssrc && a.sequenceNumber === b.sequenceNumber).toBe(false);
  });

  it('sets the marker on the first packet and after resumeAfterSilence, advances seq and timestamp', () => {
    const s = new RtpSender(fixed(0.1, 0.2, 0.3));
    const seq0 = s.sequenceNumber;
    const ts0 = s.timestamp;
    const h1 = s.next(0, 160);
    const h2 = s.next(0, 160);
    expect(h1).toMatchObject({ marker: true, payloadType: 0, sequenceNumber: seq0, timestamp: ts0, ssrc: s.ssrc });
    expect(h2).toMatchObject({ marker: false, sequenceNumber: seq0 + 1, timestamp: ts0 + 160 });
    s.advanceTimestamp(320); // 40 ms muted
    s.resumeAfterSilence();
    const h3 = s.next(0, 160);
    expect(h3).toMatchObject({ marker: true, sequenceNumber: seq0 + 2, timestamp: ts0 + 640 });
    expect(s.next(8, 160, true).marker).toBe(true);
    expect(s.packetsSent).toBe(4);
    expect(s.octetsSent).toBe(640);
  });

  it('wraps the sequence number at 16 bits and the timestamp at 32 bits', () => {
    const s = new RtpSender(fixed(0, 0.99999999, 0.99999999));
    expect(s.sequenceNumber).toBe(65535);
    const ts0 = s.timestamp;
    expect(ts0).toBeGreaterThan(0xffffff00);
    s.next(0, 160);
    const h = s.next(0, 160);
    expect(h.sequenceNumber).toBe(0);
    expect(h.timestamp).toBe((ts0 + 160) >>> 0);
    expect(h.timestamp).toBeLessThan(160);
  });

  it('sends DTMF packets at the event timestamp while the audio clock keeps running', () => {
    const s = new RtpSender(fixed(0.3, 0.3, 0.3));
    s.next(0, 160);
    const eventTs = s.timestamp;
    const d1 = s.nextWithTimestamp(101, eventTs, true, 4);
    s.advanceTimestamp(160);
    const d2 = s.nextWithTimestamp(101, eventTs, false, 4);
    s.advanceTimestamp(160);
    expect(d1.timestamp).toBe(eventTs);
    expect(d2.timestamp).toBe(eventTs);
    expect(d2.sequenceNumber).toBe((d1.sequenceNumber + 1) & 0xffff);
    expect(s.timestamp).toBe((eventTs + 320) >>> 0);
    expect(s.octetsSent).toBe(160 + 8);
  });

  it('survives a broken random source', () => {
    const s = new RtpSender(() => Number.NaN);
    expect(s.ssrc).toBe(0);
    expect(s.next(0, 160).sequenceNumber).toBe(0);
  });
});
