// The bench's answering side off the wire: the callee's 100/180/200 timed from the INVITE it received
// (not the caller's first one), and only the callee's RTP in its send intervals.
import { describe, expect, it } from 'vitest';
import type { PacketTime } from '../../support/capture';
import { answerMetrics } from '../../bench/answer-metrics';
import { WireError, type SdpPacket } from '../../bench/wire-metrics';

const SERVER = 5060;
const CALLER_SIP = 40000;
const CALLEE_SIP = 41000;
const CALLER_RTP = 20000;
const CALLEE_RTP = 30000;
const T0 = 1_700_000_000;
const PORTS = { callerSip: CALLER_SIP, calleeSip: CALLEE_SIP };

const pkt = (t: number, srcPort: number, dstPort: number, sip?: string): PacketTime => ({
  time: T0 + t, src: '127.0.0.1', srcPort, dst: '127.0.0.1', dstPort, sip, length: 172,
});

/** The caller's 407 round, the relayed INVITE at 0.010, the callee's 100/180/200, then RTP both ways. */
function answerPackets(): { packets: PacketTime[]; sdp: SdpPacket[] } {
  const packets: PacketTime[] = [
    pkt(0, CALLER_SIP, SERVER, 'INVITE'),
    pkt(0.001, SERVER, CALLER_SIP, '407'),
    pkt(0.002, CALLER_SIP, SERVER, 'ACK'),
    pkt(0.003, CALLER_SIP, SERVER, 'INVITE'),
    // The proxy's own 100 to the caller is not the callee's.
    pkt(0.004, SERVER, CALLER_SIP, '100'),
    pkt(0.010, SERVER, CALLEE_SIP, 'INVITE'),
    pkt(0.012, CALLEE_SIP, SERVER, '100'),
    pkt(0.015, CALLEE_SIP, SERVER, '180'),
    pkt(0.050, CALLEE_SIP, SERVER, '200'),
    pkt(0.051, SERVER, CALLER_SIP, '200'),
  ];
  // The callee sends from 0.060, its 5th packet 3 ms late; the caller from 0.070.
  for (let i = 0; i < 10; i++) packets.push(pkt(0.060 + i * 0.02 + (i === 4 ? 0.003 : 0), CALLEE_RTP, CALLER_RTP));
  for (let i = 0; i < 10; i++) packets.push(pkt(0.070 + i * 0.02 + (i === 2 ? 0.009 : 0), CALLER_RTP, CALLEE_RTP));
  const sdp: SdpPacket[] = [
    { time: T0, srcPort: CALLER_SIP, dstPort: SERVER, method: 'INVITE', address: '127.0.0.1', mediaPort: CALLER_RTP },
    { time: T0 + 0.010, srcPort: SERVER, dstPort: CALLEE_SIP, method: 'INVITE', address: '127.0.0.1', mediaPort: CALLER_RTP },
    { time: T0 + 0.050, srcPort: CALLEE_SIP, dstPort: SERVER, status: 200, address: '127.0.0.1', mediaPort: CALLEE_RTP },
  ];
  return { packets, sdp };
}

describe('answerMetrics', () => {
  it("times the callee's 100, 180 and 200 from the INVITE it received", () => {
    const { packets, sdp } = answerPackets();
    const m = answerMetrics(packets, sdp, PORTS);
    expect(m.inviteAt).toBeCloseTo(T0 + 0.01, 6);
    expect(m.tryingMs).toBeCloseTo(2, 3);
    expect(m.ringingMs).toBeCloseTo(5, 3);
    expect(m.okMs).toBeCloseTo(40, 3);
    expect(m.calleeFirstRtpMs).toBeCloseTo(50, 3);
    expect(m.callerFirstRtpMs).toBeCloseTo(60, 3);
  });

  it("measures the callee's send intervals only (the caller's 9 ms late packet does not count)", () => {
    const { packets, sdp } = answerPackets();
    const m = answerMetrics(packets, sdp, PORTS);
    expect(m.calleeRtpPackets).toBe(10);
    expect(m.callerRtpPackets).toBe(10);
    expect(m.sendDeviation.count).toBe(9);
    expect(m.sendDeviation.max).toBeCloseTo(3, 3);
    expect(m.gapsOver30ms).toBe(0);
  });

  it('reports a response the callee never sent as null (baresip sends no 100 Trying)', () => {
    const { packets, sdp } = answerPackets();
    const m = answerMetrics(packets.filter((p) => !(p.sip === '100' && p.srcPort === CALLEE_SIP)), sdp, PORTS);
    expect(m.tryingMs).toBeNull();
    expect(m.ringingMs).toBeCloseTo(5, 3);
  });

  it('counts a stall in the callee\'s sending as a gap over 30 ms', () => {
    const { packets, sdp } = answerPackets();
    const stalled = packets.map((p) => (p.srcPort === CALLEE_RTP && p.time > T0 + 0.17 ? { ...p, time: p.time + 0.1 } : p));
    const m = answerMetrics(stalled, sdp, PORTS);
    expect(m.gapsOver30ms).toBe(1);
    expect(m.sendDeviation.max).toBeCloseTo(100, 1);
  });

  it('says what is missing when the callee never got or answered the call', () => {
    const { packets, sdp } = answerPackets();
    expect(() => answerMetrics(packets, sdp, { ...PORTS, calleeSip: 1 })).toThrow(WireError);
    expect(() => answerMetrics(packets, sdp.slice(0, 2), PORTS)).toThrow(/200 OK/);
    expect(() => answerMetrics(packets.filter((p) => p.sip !== undefined), sdp, PORTS)).toThrow(/no RTP/);
  });
});
