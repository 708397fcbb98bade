// RTCP compound packets (RFC 3550 §6): built bytes, parse round trips, malformed input, RTT, interval.
import { describe, expect, it } from 'vitest';
import {
  buildReport,
  delaySinceLastSr,
  lastSrFromSender,
  ntpFromMs,
  parseRtcp,
  roundTripMs,
  rtcpIntervalMs,
  type ReportBlock,
} from '../../../src-main/rtp/rtcp';
import { isRtcp } from '../../../src-main/rtp/rtp-packet';

const block: ReportBlock = {
  ssrc: 0xcafebabe,
  fractionLost: 25,
  cumulativeLost: -3,
  extendedHighestSeq: 70000,
  jitter: 42,
  lastSr: 0x12345678,
  delaySinceLastSr: 65536,
};

describe('RTCP', () => {
  it('builds SR + SDES CNAME with exact layout and parses it back', () => {
    const out = new Uint8Array(512);
    const ms = Date.UTC(2025, 0, 1, 12, 0, 0, 500);
    const n = buildReport(
      { ssrc: 0x11223344, cname: 'alice@127.0.0.1', sender: { ntpMs: ms, rtpTimestamp: 12345, packets: 50, octets: 8000 }, reportBlocks: [block] },
      out,
    );
    // SR: 8 + 20 + 24 = 52; SDES: 4 + pad4(4 + 2 + 15 + 1 = 22) = 28
    expect(n).toBe(52 + 28);
    expect(Array.from(out.subarray(0, 4))).toEqual([0x81, 200, 0, 12]);
    expect(Array.from(out.subarray(52, 56))).toEqual([0x81, 202, 0, 6]);
    expect(isRtcp(out.subarray(0, n))).toBe(true);
    const parsed = parseRtcp(out.subarray(0, n));
    expect(parsed).not.toBeNull();
    const [sr, sdes] = parsed ?? [];
    expect(sr?.type).toBe('sr');
    if (sr?.type !== 'sr') throw new Error('not SR');
    expect(sr.ssrc).toBe(0x11223344);
    expect(sr.sender.ntpSec).toBe(Math.floor(ms / 1000) + 2208988800);
    expect(sr.sender.ntpFrac).toBe(0x80000000);
    expect(sr.sender.ntpMs).toBeCloseTo(ms, 3);
    expect(sr.sender).toMatchObject({ rtpTimestamp: 12345, packets: 50, octets: 8000 });
    expect(sr.reports).toEqual([block]);
    expect(sdes).toEqual({ type: 'sdes', chunks: [{ ssrc: 0x11223344, items: [{ type: 1, value: 'alice@127.0.0.1' }], cname: 'alice@127.0.0.1' }] });
  });

  it('builds RR when we sent nothing, and RR + SDES + BYE with a reason', () => {
    const out = new Uint8Array(512);
    const n = buildReport({ ssrc: 7, cname: 'bob', reportBlocks: [], bye: { reason: 'hang up' } }, out);
    const parsed = parseRtcp(out.subarray(0, n));
    expect(parsed?.map((p) => p.type)).toEqual(['rr', 'sdes', 'bye']);
    expect(parsed?.[0]).toEqual({ type: 'rr', ssrc: 7, reports: [] });
    expect(parsed?.[2]).toEqual({ type: 'bye', ssrcs: [7], reason: 'hang up' });
    expect(n % 4).toBe(0);
    // the NTP-epoch form of ntpMs gives the same SR as the Unix form
    const a = new Uint8Array(100);
    const b = new Uint8Array(100);
    const sender = { rtpTimestamp: 1, packets: 1, octets: 1 };
    buildReport({ ssrc: 1, cname: 'x', sender: { ...sender, ntpMs: 1_700_000_000_000 }, reportBlocks: [] }, a);
    buildReport({ ssrc: 1, cname: 'x', sender: { ...sender, ntpMs: 1_700_000_000_000 + 2208988800_000 }, reportBlocks: [] }, b);
    expect(a).toEqual(b);
  });

  it('returns 0 when the buffer is too small', () => {
    expect(buildReport({ ssrc: 1, cname: 'someone', reportBlocks: [block] }, new Uint8Array(40))).toBe(0);
  });

  it('parses a compound from another stack (RR + SDES with two items, padded last packet)', () => {
    const bytes = Uint8Array.from([
      0x80, 201, 0, 1, 0, 0, 0, 9, // RR, no blocks
      0xa1, 202, 0, 5, 0, 0, 0, 9, // SDES with P bit (last packet), 1 chunk
      1, 3, 0x61, 0x62, 0x63, // CNAME "abc"
      6, 2, 0x68, 0x69, // TOOL "hi"
      0, 0, 0, // end + pad to 32 bits (chunk = 16 bytes)
      0, 0, 0, 4, // 4 octets of RTCP padding
    ]);
    const parsed = parseRtcp(bytes);
    expect(parsed?.[1]).toEqual({ type: 'sdes', chunks: [{ ssrc: 9, items: [{ type: 1, value: 'abc' }, { type: 6, value: 'hi' }], cname: 'abc' }] });
  });

  it('returns null for malformed compounds, never throws', () => {
    const good = new Uint8Array(200);
    const n = buildReport({ ssrc: 1, cname: 'c', reportBlocks: [block] }, good);
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      good.subarray(0, n - 1), // truncated
      Uint8Array.from([0x40, 201, 0, 1, 0, 0, 0, 1]), // version 1
      Uint8Array.from([0x81, 201, 0, 1, 0, 0, 0, 1]), // RC=1 but no block
      Uint8Array.from([0x80, 201, 0, 5, 0, 0, 0, 1]), // length beyond the data
      Uint8Array.from([0xa0, 201, 0, 1, 0, 0, 0, 1, 0x80, 201, 0, 1, 0, 0, 0, 2]), // padding not in last
      Uint8Array.from([0x81, 203, 0, 1, 0, 0, 0, 1, 9]), // BYE reason longer than the packet (bad len)
      Uint8Array.from([0x81, 202, 0, 1, 0, 0, 0, 1]), // SDES chunk without terminating null
    ];
    for (const c of cases) expect(parseRtcp(c)).toBeNull();
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    for (let i = 0; i < 3000; i++) {
      const b = good.slice(0, n);
      b[Math.floor(rnd() * n)] = Math.floor(rnd() * 256);
      expect(() => parseRtcp(b.subarray(0, Math.floor(rnd() * (n + 1))))).not.toThrow();
    }
  });

  it('computes LSR/DLSR and the round-trip time (A - LSR - DLSR)', () => {
    const sentAt = Date.UTC(2025, 5, 1, 0, 0, 0);
    const { sec, frac } = ntpFromMs(sentAt);
    const lsr = lastSrFromSender({ ntpSec: sec, ntpFrac: frac, ntpMs: sentAt, rtpTimestamp: 0, packets: 0, octets: 0 });
    // the peer held our SR for 250 ms, the network took 2 x 40 ms
    const rb = { ...block, lastSr: lsr, delaySinceLastSr: delaySinceLastSr(250) };
    expect(roundTripMs(rb, sentAt + 250 + 80)).toBeCloseTo(80, 0);
    expect(roundTripMs({ ...block, lastSr: 0 }, sentAt)).toBeNull();
  });

  it('computes the §6.3 interval: 5 s minimum, halved initially, randomised 0.5..1.5, compensated', () => {
    const c = Math.E - 1.5;
    expect(rtcpIntervalMs({}, () => 0.5)).toBeCloseTo(5000 / c, 6);
    expect(rtcpIntervalMs({}, () => 0)).toBeCloseTo(2500 / c, 6);
    expect(rtcpIntervalMs({ initial: true }, () => 0.5)).toBeCloseTo(2500 / c, 6);
    // a large conference on a thin pipe exceeds the minimum: 100 members x 100 B / 500 B/s = 20 s
    expect(rtcpIntervalMs({ members: 100, senders: 50, rtcpBandwidth: 500 }, () => 0.5)).toBeCloseTo(20000 / c, 6);
    // few senders: the senders share 25 % of the bandwidth (2 senders x 100 B / 12.5 B/s = 16 s)
    expect(rtcpIntervalMs({ members: 100, senders: 2, weSent: true, rtcpBandwidth: 50 }, () => 0.5)).toBeCloseTo((2 * 100) / 12.5 * 1000 / c, 6);
    for (let i = 0; i < 100; i++) {
      const t = rtcpIntervalMs({}, Math.random);
      expect(t).toBeGreaterThanOrEqual(2500 / c);
      expect(t).toBeLessThan(7500 / c);
    }
  });
});
