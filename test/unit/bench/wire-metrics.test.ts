// The bench's reading of a call off the wire: setup time from the first INVITE, the caller's RTP told
// apart by the SDP ports, send-interval deviation, and tshark's SDP field output.
import { describe, expect, it } from 'vitest';
import type { PacketTime } from '../../support/capture';
import { WireError, parseSdpFields, wireMetrics, type SdpPacket } from '../../bench/wire-metrics';

const SERVER = 5060;
const CALLER_SIP = 40000;
const CALLEE_SIP = 41000;
const CALLER_RTP = 20000;
const CALLEE_RTP = 30000;
// Epoch seconds as tshark gives them: doubles this large hold ~0.2 µs, hence 3-digit ms comparisons.
const T0 = 1_700_000_000;

const pkt = (t: number, srcPort: number, dstPort: number, sip?: string): PacketTime => ({
  time: T0 + t, src: '127.0.0.1', srcPort, dst: '127.0.0.1', dstPort, sip, length: 172,
});

/** REGISTER before the call, the 407 dance, 200 OK, then 20 ms RTP both ways with one late packet. */
function callPackets(): { packets: PacketTime[]; sdp: SdpPacket[] } {
  const packets: PacketTime[] = [
    pkt(-1, CALLER_SIP, SERVER, 'REGISTER'),
    pkt(-0.999, SERVER, CALLER_SIP, '200'),
    pkt(0, CALLER_SIP, SERVER, 'INVITE'),
    pkt(0.001, SERVER, CALLER_SIP, '407'),
    pkt(0.002, CALLER_SIP, SERVER, 'ACK'),
    pkt(0.003, CALLER_SIP, SERVER, 'INVITE'),
    pkt(0.004, SERVER, CALLEE_SIP, 'INVITE'),
    pkt(0.008, CALLEE_SIP, SERVER, '200'),
    pkt(0.009, SERVER, CALLER_SIP, '200'),
    pkt(0.010, CALLER_SIP, SERVER, 'ACK'),
    // Someone else's traffic on other ports must not count.
    pkt(0.011, 50000, 50002),
  ];
  // Callee starts 2 ms after the ACK, the caller 30 ms after it; the caller's 4th packet is 5 ms late.
  for (let i = 0; i < 10; i++) packets.push(pkt(0.012 + i * 0.02, CALLEE_RTP, CALLER_RTP));
  for (let i = 0; i < 10; i++) packets.push(pkt(0.040 + i * 0.02 + (i === 3 ? 0.005 : 0), CALLER_RTP, CALLEE_RTP));
  // RTCP on the next ports up is not RTP.
  packets.push(pkt(0.1, CALLER_RTP + 1, CALLEE_RTP + 1));
  const sdp: SdpPacket[] = [
    { time: T0, srcPort: CALLER_SIP, dstPort: SERVER, method: 'INVITE', address: '127.0.0.1', mediaPort: CALLER_RTP },
    { time: T0 + 0.008, srcPort: CALLEE_SIP, dstPort: SERVER, status: 200, address: '127.0.0.1', mediaPort: CALLEE_RTP },
    { time: T0 + 0.009, srcPort: SERVER, dstPort: CALLER_SIP, status: 200, address: '127.0.0.1', mediaPort: CALLEE_RTP },
  ];
  return { packets, sdp };
}

describe('wireMetrics', () => {
  it('times setup from the first INVITE to the first RTP either way, and the steps in between', () => {
    const { packets, sdp } = callPackets();
    const m = wireMetrics(packets, sdp, { callerSip: CALLER_SIP, calleeSip: CALLEE_SIP });
    expect(m.setupMs).toBeCloseTo(12, 3);
    expect(m.answerMs).toBeCloseTo(9, 3);
    expect(m.ackMs).toBeCloseTo(10, 3);
    expect(m.calleeFirstRtpMs).toBeCloseTo(12, 3);
    expect(m.callerFirstRtpMs).toBeCloseTo(40, 3);
    expect(m.callerMediaPort).toBe(CALLER_RTP);
    expect(m.calleeMediaPort).toBe(CALLEE_RTP);
    expect(m.sipTimeline.map((e) => `${e.dir} ${e.sip}`)).toEqual(['out INVITE', 'in 407', 'out ACK', 'out INVITE', 'in 200', 'out ACK']);
  });

  it("measures only the caller's RTP: one packet 5 ms late gives two 5 ms deviations", () => {
    const { packets, sdp } = callPackets();
    const m = wireMetrics(packets, sdp, { callerSip: CALLER_SIP, calleeSip: CALLEE_SIP });
    expect(m.callerRtpPackets).toBe(10);
    expect(m.calleeRtpPackets).toBe(10);
    expect(m.sendDeviation.count).toBe(9);
    expect(m.sendDeviation.p50).toBeCloseTo(0, 3);
    expect(m.sendDeviation.max).toBeCloseTo(5, 3);
    expect(m.maxIntervalMs).toBeCloseTo(25, 3);
    expect(m.gapsOver30ms).toBe(0);
    expect(m.callerRtpSeconds).toBeCloseTo(0.18, 3);
  });

  it('counts a stall as a gap over 30 ms', () => {
    const { packets, sdp } = callPackets();
    const stalled = packets.map((p) => (p.srcPort === CALLER_RTP && p.time > T0 + 0.1 ? { ...p, time: p.time + 0.3 } : p));
    const m = wireMetrics(stalled, sdp, { callerSip: CALLER_SIP, calleeSip: CALLEE_SIP });
    expect(m.gapsOver30ms).toBe(1);
    expect(m.sendDeviation.max).toBeGreaterThan(299);
  });

  it('says what is missing when the capture holds no call', () => {
    const { packets, sdp } = callPackets();
    expect(() => wireMetrics(packets, sdp, { callerSip: 1, calleeSip: CALLEE_SIP })).toThrow(WireError);
    expect(() => wireMetrics(packets, [], { callerSip: CALLER_SIP, calleeSip: CALLEE_SIP })).toThrow(/SDP offer/);
    const noRtp = packets.filter((p) => p.sip !== undefined);
    expect(() => wireMetrics(noRtp, sdp, { callerSip: CALLER_SIP, calleeSip: CALLEE_SIP })).toThrow(/no RTP/);
  });
});

describe('parseSdpFields', () => {
  it("reads tshark's fields; the first m= port of a multi-stream body is the audio", () => {
    const text = [
      '1700000000.000100\t40000\t5060\tINVITE\t\t127.0.0.1\t20000',
      '1700000000.008000\t41000\t5060\t\t200\t127.0.0.1,127.0.0.1\t30000,30002',
      '1700000000.009000\t5060\t40000\t\t407\t\t',
      '',
    ].join('\n');
    expect(parseSdpFields(text)).toEqual([
      { time: 1700000000.0001, srcPort: 40000, dstPort: 5060, method: 'INVITE', status: undefined, address: '127.0.0.1', mediaPort: 20000 },
      { time: 1700000000.008, srcPort: 41000, dstPort: 5060, method: undefined, status: 200, address: '127.0.0.1', mediaPort: 30000 },
    ]);
  });
});
