// RTCP XR (RFC 3611): the VoIP Metrics block's exact layout, the round trip through a compound RTCP
// packet, hostile XR input, the burst/gap model (§4.7.2), and two RTCP sessions telling each other.
import { describe, expect, it } from 'vitest';
import { buildReport, parseRtcp } from '../../../src-main/rtp/rtcp';
import { parseXr, PT_XR, writeXr, type VoipMetricsBlock } from '../../../src-main/rtp/rtcp-xr';
import { BurstGapTracker, viewOfVoipMetrics, voipMetricsBlock } from '../../../src-main/rtp/xr-voip-metrics';
import { RtcpSession } from '../../../src-main/rtp/rtcp-session';
import { RtpSender } from '../../../src-main/rtp/rtp-sender';
import { RtpReceiverStats } from '../../../src-main/rtp/rtp-receiver-stats';

const block: VoipMetricsBlock = {
  ssrc: 0xdeadbeef,
  lossRate: 13,
  discardRate: 2,
  burstDensity: 128,
  gapDensity: 5,
  burstDurationMs: 60,
  gapDurationMs: 4980,
  roundTripMs: 23,
  endSystemDelayMs: 84,
  signalLevel: -18,
  noiseLevel: -54,
  rerl: 127,
  gmin: 16,
  rFactor: 88,
  extRFactor: 127,
  mosLq: 42,
  mosCq: 41,
  rxConfig: 0xf0,
  jbNominalMs: 40,
  jbMaximumMs: 80,
  jbAbsMaxMs: 200,
};

describe('XR VoIP Metrics block (RFC 3611 §4.7)', () => {
  it('is written with the exact layout and read back', () => {
    const out = new Uint8Array(64);
    const n = writeXr(0x01020304, [block], out, 0);
    expect(n).toBe(44);
    // Header: V=2, PT=207, length 10 words - 1; then the sender SSRC.
    expect([...out.subarray(0, 8)]).toEqual([0x80, 207, 0, 10, 1, 2, 3, 4]);
    // Block header: BT=7, reserved, block length 8.
    expect([...out.subarray(8, 12)]).toEqual([7, 0, 0, 8]);
    expect([...out.subarray(16, 20)]).toEqual([13, 2, 128, 5]);
    expect([...out.subarray(28, 32)]).toEqual([0xee, 0xca, 127, 16]); // -18 and -54 as signed octets
    expect([...out.subarray(32, 36)]).toEqual([88, 127, 42, 41]);
    expect(parseXr(out.subarray(4, n))).toEqual({ ssrc: 0x01020304, voipMetrics: [block], skipped: 0 });
  });

  it('travels in a compound RTCP packet after the SDES', () => {
    const out = new Uint8Array(512);
    const n = buildReport({ ssrc: 7, cname: 'x@y', reportBlocks: [], xr: [block], bye: {} }, out);
    const packets = parseRtcp(out.subarray(0, n));
    expect(packets?.map((p) => p.type)).toEqual(['rr', 'sdes', 'other', 'bye']);
    const xr = packets?.[2];
    expect(xr?.type === 'other' && xr.packetType).toBe(PT_XR);
    if (xr?.type !== 'other') throw new Error('no XR');
    expect(parseXr(xr.body)?.voipMetrics[0]).toEqual(block);
  });

  it('drops malformed blocks and never throws on hostile input', () => {
    const out = new Uint8Array(64);
    const n = writeXr(9, [block], out, 0);
    const body = out.slice(4, n);
    // Truncated: the block overruns the packet.
    expect(parseXr(body.subarray(0, 30))).toEqual({ ssrc: 9, voipMetrics: [], skipped: 1 });
    // A VoIP Metrics block claiming another length is not read as one.
    const wrongLen = body.slice();
    wrongLen[7] = 7;
    expect(parseXr(wrongLen)?.voipMetrics).toEqual([]);
    // Unknown block types are skipped by their length; the VoIP block after them is still read.
    const other = new Uint8Array([0, 0, 0, 9, 4, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8, ...body.subarray(4)]);
    const parsed = parseXr(other);
    expect(parsed?.skipped).toBe(1);
    expect(parsed?.voipMetrics).toEqual([block]);
    expect(parseXr(new Uint8Array(3))).toBeNull();
    // Random bodies: some result or null, never an exception; at most 16 blocks looked at.
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let i = 0; i < 2000; i++) {
      const junk = Uint8Array.from({ length: Math.floor(rnd() * 120) }, () => Math.floor(rnd() * 256));
      const r = parseXr(junk);
      if (r) expect(r.voipMetrics.length + r.skipped).toBeLessThanOrEqual(17);
    }
    const many = new Uint8Array(4 + 4 * 100); // 100 empty blocks of one word each
    for (let o = 4; o < many.length; o += 4) many[o] = 99;
    expect(parseXr(many)?.skipped).toBe(16);
  });
});

describe('burst/gap model (RFC 3611 §4.7.2, Gmin 16)', () => {
  it('puts lone losses in the gap and close losses in a burst', () => {
    const t = new BurstGapTracker();
    // 100 received, one lone loss, 50 received, then 2 lost out of 4, then 100 received.
    const seq = [...Array(100).fill(false), true, ...Array(50).fill(false), true, false, false, true, ...Array(100).fill(false)];
    for (const lost of seq) t.observe(lost);
    const s = t.summary();
    expect(s.burstDensity).toBeCloseTo(2 / 4, 5);
    expect(s.burstPackets).toBe(4);
    expect(s.gapDensity).toBeCloseTo(1 / (seq.length - 4), 5);
    expect(s.gapPackets).toBeCloseTo((seq.length - 4) / 2, 5);
  });

  it('reports no burst on a clean stream', () => {
    const t = new BurstGapTracker();
    for (let i = 0; i < 500; i++) t.observe(false);
    expect(t.summary()).toEqual({ burstDensity: 0, gapDensity: 0, burstPackets: 0, gapPackets: 500 });
  });
});

describe('our VoIP Metrics from the receiver measurements', () => {
  it('fills rates, delays, E-model figures and the jitter buffer, and reads back in plain units', () => {
    const bg = new BurstGapTracker();
    for (let i = 0; i < 95; i++) bg.observe(i % 19 === 3);
    const b = voipMetricsBlock({
      remoteSsrc: 77,
      measurements: { packetsReceived: 95, packetsLost: 5, discarded: 1, roundTripMs: 30.4, bufferDelayMs: 40, packetMs: 20, plcDelayMs: 3.75, runs: { received: 95, lost: 5, receivedThenLost: 5, lostThenReceived: 5 } },
      burstGap: bg,
      jitterBuffer: { nominalMs: 40, maximumMs: 60, absMaxMs: 200 },
    });
    expect(b.ssrc).toBe(77);
    expect(b.lossRate).toBe(Math.floor((256 * 5) / 100));
    expect(b.discardRate).toBe(Math.floor(256 / 100));
    expect(b.roundTripMs).toBe(30);
    expect(b.endSystemDelayMs).toBe(84);
    expect(b.gmin).toBe(16);
    expect(b.signalLevel).toBe(127);
    expect(b.rFactor).toBeGreaterThan(50);
    expect(b.rFactor).toBeLessThan(93);
    expect(b.mosLq).toBeGreaterThanOrEqual(b.mosCq);
    expect([b.jbNominalMs, b.jbMaximumMs, b.jbAbsMaxMs]).toEqual([40, 60, 200]);
    const v = viewOfVoipMetrics(b);
    expect(v.lossPercent).toBeCloseTo(4.7, 1);
    expect(v.r).toBe(b.rFactor);
    expect(v.mosCq).toBe(b.mosCq / 10);
    expect(v.signalDbm0).toBeUndefined();
  });
});

describe('RtcpSession with XR', () => {
  it('sends our block in each report and keeps the peer\'s block about our stream', () => {
    let seed = 3;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const wall = () => 1_700_000_000_000;
    const a = new RtcpSession({ ssrc: 1111, cname: 'a', random, wallClockMs: wall });
    const b = new RtcpSession({ ssrc: 2222, cname: 'b', random, wallClockMs: wall });
    a.setRemote({ address: '10.0.0.2', port: 6001 }, 0);
    const receiver = new RtpReceiverStats(8000);
    receiver.update(1, 160, 0);
    let sent: Uint8Array | null = null;
    a.sendBye({ sender: new RtpSender(random), receiver, remoteSsrc: 2222, voipMetrics: () => ({ ...block, ssrc: 2222 }) }, (buf, len) => (sent = buf.slice(0, len)));
    expect(sent).not.toBeNull();
    expect(a.sentVoipMetrics?.ssrc).toBe(2222);
    expect(b.receive(sent!, { address: '10.0.0.1', port: 4001 }, 1111, 0, true)).toBe(true);
    expect(b.peerVoipMetrics).toEqual({ ...block, ssrc: 2222 });
    // A block about somebody else's stream, or from another sender, is dropped.
    const c = new RtcpSession({ ssrc: 3333, cname: 'c', random, wallClockMs: wall });
    expect(c.receive(sent!, { address: '10.0.0.1', port: 4001 }, 1111, 0, true)).toBe(true);
    expect(c.peerVoipMetrics).toBeNull();
    expect(c.xrDropped).toBe(1);
    const d = new RtcpSession({ ssrc: 2222, cname: 'd', random, wallClockMs: wall });
    d.receive(sent!, { address: '10.0.0.1', port: 4001 }, 4444, 0, true);
    expect(d.peerVoipMetrics).toBeNull();
  });
});
