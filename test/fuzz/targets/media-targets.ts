// Media and NAT fuzz targets: RTP (with RFC 4733 events and the jitter buffer), RTCP, STUN (with ICE
// check validation), and a TURN client fed server datagrams that answer its own pending request.
import { JitterBuffer } from '../../../src-main/rtp/jitter-buffer';
import { decodeDtmfEvent, encodeDtmfEvent } from '../../../src-main/rtp/dtmf-event';
import { buildReport, parseRtcp, roundTripMs } from '../../../src-main/rtp/rtcp';
import { parseXr, PT_XR } from '../../../src-main/rtp/rtcp-xr';
import { parseRtp, writeRtp } from '../../../src-main/rtp/rtp-packet';
import { validateCheckRequest } from '../../../src-main/nat/ice-messages';
import { longTermKey, shortTermKey } from '../../../src-main/nat/stun-credentials';
import { decodeChannelData, decodeStun, encodeChannelData, encodeStun, StunMethod, verifyIntegrity, type StunMessage } from '../../../src-main/nat/stun-message';
import { TurnClient } from '../../../src-main/nat/turn-client';
import { FakeClock } from '../../unit/nat/fake-clock';
import { check, isInt, type FuzzTarget } from '../target';

function rtpPacket(pt: number, seq: number, payload: Uint8Array, extra: Partial<{ marker: boolean; csrcs: number[] }> = {}): Uint8Array {
  const out = new Uint8Array(12 + 4 * (extra.csrcs?.length ?? 0) + payload.length);
  const n = writeRtp({ marker: extra.marker ?? false, payloadType: pt, sequenceNumber: seq, timestamp: 160 * seq, ssrc: 0x1234abcd, csrcs: extra.csrcs }, payload, out);
  return out.subarray(0, n);
}

function dtmfPayload(event: number, end: boolean, duration: number): Uint8Array {
  const out = new Uint8Array(4);
  encodeDtmfEvent({ event, end, volume: 10, duration }, out);
  return out;
}

export const rtpTarget: FuzzTarget = {
  name: 'rtp',
  description: 'parseRtp (rtp-packet.ts), then the payload into the jitter buffer, and RFC 4733 decodeDtmfEvent for telephone-event',
  seeds: () => {
    const withExtension = rtpPacket(0, 7, new Uint8Array(160).fill(0xff));
    withExtension[0] = (withExtension[0] as number) | 0x10;
    const padded = rtpPacket(8, 9, Uint8Array.of(1, 2, 3, 0, 0, 3));
    padded[0] = (padded[0] as number) | 0x20;
    return [
      rtpPacket(0, 1, new Uint8Array(160).fill(0x7f)),
      rtpPacket(8, 2, new Uint8Array(160).fill(0xd5), { marker: true, csrcs: [1, 2] }),
      rtpPacket(101, 3, dtmfPayload(5, false, 160), { marker: true }),
      rtpPacket(101, 4, dtmfPayload(11, true, 800)),
      withExtension,
      padded,
    ];
  },
  text: false,
  maxBytes: 1500,
  run(input) {
    const p = parseRtp(input);
    if (!p) return;
    check(isInt(p.payloadType, 0, 127) && isInt(p.sequenceNumber, 0, 65_535), 'RTP header fields out of range');
    check(isInt(p.timestamp, 0, 0xffffffff) && isInt(p.ssrc, 0, 0xffffffff), 'RTP timestamp/SSRC out of range');
    check(p.payload.length <= input.length - 12, 'RTP payload longer than the packet');
    check(p.payload.buffer === input.buffer, 'RTP payload is not a view of the packet');
    if (p.payloadType === 101) {
      const ev = decodeDtmfEvent(p.payload);
      if (ev) check(isInt(ev.event, 0, 255) && isInt(ev.volume, 0, 63) && isInt(ev.duration, 0, 65_535), 'RFC 4733 event fields out of range');
      else check(p.payload.length < 4, 'a 4-byte telephone-event payload did not decode');
    }
    const jb = new JitterBuffer({ frameSamples: 160, clockRate: 8000 });
    for (let i = 0; i < 3; i++) jb.push((p.sequenceNumber + i) & 0xffff, (p.timestamp + 160 * i) >>> 0, p.payload, 1000 + 20 * i, p.ssrc);
    for (let i = 0; i < 8; i++) {
      const out = jb.pop(1100 + 20 * i);
      if (out.kind === 'frame') check(out.payload.length === p.payload.length, 'jitter buffer returned a payload of another size');
    }
  },
};

export const rtcpTarget: FuzzTarget = {
  name: 'rtcp',
  description: 'parseRtcp (rtcp.ts) of compound packets, the round-trip time from each report block, and XR blocks (rtcp-xr.ts)',
  seeds: () => {
    const out = new Uint8Array(1500);
    const block = { ssrc: 0x1234abcd, fractionLost: 3, cumulativeLost: 12, extendedHighestSeq: 70_000, jitter: 40, lastSr: 0x12345678, delaySinceLastSr: 655 };
    const sr = buildReport({ ssrc: 1, cname: 'fuzz@example', sender: { ntpMs: 1_700_000_000_000, rtpTimestamp: 160, packets: 10, octets: 1600 }, reportBlocks: [block] }, out);
    const a = out.slice(0, sr);
    const rr = buildReport({ ssrc: 2, cname: 'x', reportBlocks: [block, block], bye: { reason: 'bye now' } }, out);
    const b = out.slice(0, rr);
    // Issue 13: an RR with an RFC 3611 VoIP Metrics block.
    const voip = { ssrc: 1, lossRate: 3, discardRate: 1, burstDensity: 0, gapDensity: 3, burstDurationMs: 0, gapDurationMs: 5000, roundTripMs: 20, endSystemDelayMs: 84,
      signalLevel: -20, noiseLevel: -60, rerl: 127, gmin: 16, rFactor: 90, extRFactor: 127, mosLq: 44, mosCq: 43, rxConfig: 0xf0, jbNominalMs: 40, jbMaximumMs: 60, jbAbsMaxMs: 200 };
    const xr = buildReport({ ssrc: 3, cname: 'x', reportBlocks: [block], xr: [voip] }, out);
    return [a, b, out.slice(0, xr)];
  },
  text: false,
  maxBytes: 1500,
  run(input) {
    const packets = parseRtcp(input);
    if (!packets) return;
    check(packets.length > 0, 'an RTCP compound packet parsed to nothing');
    for (const p of packets) {
      if (p.type === 'sr' || p.type === 'rr') {
        check(p.reports.length <= 31, 'more than 31 report blocks (RC is 5 bits)');
        for (const b of p.reports) {
          const rtt = roundTripMs(b, 5_000_000);
          check(rtt === null || Number.isFinite(rtt), 'round trip is not a finite number');
        }
      }
      if (p.type === 'bye' && p.reason !== undefined) check(p.reason.length <= 255, 'BYE reason longer than 255');
      if (p.type === 'other' && p.packetType === PT_XR) {
        const xr = parseXr(p.body);
        if (xr) check(xr.voipMetrics.length + xr.skipped <= 17, 'more XR blocks looked at than the bound of 16 (+1 overrun)');
        for (const m of xr?.voipMetrics ?? []) check(m.signalLevel >= -128 && m.signalLevel <= 127 && m.jbAbsMaxMs <= 0xffff, 'XR field out of its range');
      }
    }
  },
};

const ICE_PWD = 'abcdefghijklmnopqrstuv';

export const stunTarget: FuzzTarget = {
  name: 'stun',
  description: 'decodeStun/verifyIntegrity/decodeChannelData (stun-message.ts, stun-attributes.ts) and ICE validateCheckRequest',
  seeds: () => {
    const tid = Uint8Array.from({ length: 12 }, (_, i) => i + 1);
    const msgs: Array<[StunMessage, Parameters<typeof encodeStun>[1]]> = [
      [{ method: StunMethod.Binding, cls: 'request', transactionId: tid, attributes: [
        { name: 'username', value: 'abcd:efgh' }, { name: 'priority', value: 1845501695 }, { name: 'iceControlling', value: 12345678901234n }, { name: 'useCandidate', value: true },
      ] }, { integrityKey: shortTermKey(ICE_PWD), fingerprint: true }],
      [{ method: StunMethod.Binding, cls: 'success', transactionId: tid, attributes: [
        { name: 'xorMappedAddress', value: { address: '203.0.113.5', port: 40_001 } }, { name: 'software', value: 'fuzz' },
      ] }, { fingerprint: true }],
      [{ method: StunMethod.Binding, cls: 'success', transactionId: tid, attributes: [
        { name: 'xorMappedAddress', value: { address: '2001:db8::5', port: 40_001 } },
      ] }, {}],
      [{ method: StunMethod.Allocate, cls: 'error', transactionId: tid, attributes: [
        { name: 'errorCode', value: { code: 401, reason: 'Unauthorized' } }, { name: 'realm', value: 'example.org' }, { name: 'nonce', value: 'abcdef' },
        { name: 'passwordAlgorithms', value: [{ algorithm: 2, params: new Uint8Array(0) }, { algorithm: 1, params: new Uint8Array(0) }] },
        { name: 'unknownAttributes', value: [0x0001, 0x8022] },
      ] }, {}],
    ];
    return [...msgs.map(([m, o]) => encodeStun(m, o)), encodeChannelData(0x4001, Uint8Array.of(1, 2, 3), true)];
  },
  text: false,
  maxBytes: 1500,
  run(input) {
    const cd = decodeChannelData(input);
    if (cd) check(cd.channel >= 0x4000 && cd.channel <= 0x7fff && cd.data.length <= input.length - 4, 'ChannelData out of range');
    const msg = decodeStun(input);
    if (!msg) return;
    check(msg.transactionId.length === 12, 'transaction ID is not 96 bits');
    check(msg.raw.length <= input.length, 'STUN message longer than the datagram');
    verifyIntegrity(msg, shortTermKey(ICE_PWD));
    verifyIntegrity(msg, longTermKey('user', 'example.org', 'pw'));
    const checked = validateCheckRequest(msg, 'abcd', ICE_PWD);
    if (checked.ok) check(isInt(checked.priority, 0, 0xffffffff), 'check priority out of range');
  },
};

/** A TURN client mid-allocation: inputs get its pending request's transaction ID, so responses match. */
export const turnTarget: FuzzTarget = {
  name: 'turn',
  description: 'TurnClient.handleDatagram (turn-client.ts, turn-auth.ts) after allocate(): the input stands for the server answer',
  seeds: () => {
    const tid = new Uint8Array(12);
    const challenge = encodeStun({ method: StunMethod.Allocate, cls: 'error', transactionId: tid, attributes: [
      { name: 'errorCode', value: { code: 401, reason: 'Unauthorized' } }, { name: 'realm', value: 'example.org' }, { name: 'nonce', value: 'n0nce' },
    ] });
    const key = longTermKey('user', 'example.org', 'pw');
    const success = encodeStun({ method: StunMethod.Allocate, cls: 'success', transactionId: tid, attributes: [
      { name: 'xorRelayedAddress', value: { address: '198.51.100.7', port: 50_000 } }, { name: 'xorMappedAddress', value: { address: '203.0.113.5', port: 40_001 } },
      { name: 'lifetime', value: 600 },
    ] }, { integrityKey: key });
    const stale = encodeStun({ method: StunMethod.Allocate, cls: 'error', transactionId: tid, attributes: [
      { name: 'errorCode', value: { code: 438, reason: 'Stale Nonce' } }, { name: 'nonce', value: 'n1' },
    ] }, { integrityKey: key });
    const data = encodeStun({ method: StunMethod.Data, cls: 'indication', transactionId: tid, attributes: [
      { name: 'xorPeerAddress', value: { address: '192.0.2.9', port: 7000 } }, { name: 'data', value: Uint8Array.of(0x80, 0, 0, 1) },
    ] });
    return [challenge, success, stale, data, encodeChannelData(0x4000, Uint8Array.of(9, 9))];
  },
  text: false,
  maxBytes: 1500,
  run(input) {
    const clock = new FakeClock();
    const sent: Uint8Array[] = [];
    const server = { address: '198.51.100.1', port: 3478 };
    const client = new TurnClient({ clock, server, username: 'user', password: 'pw', send: (d) => sent.push(d), random: (n) => new Uint8Array(n).fill(7) });
    client.on('failed', () => {});
    client.allocate();
    const request = sent[0];
    check(request !== undefined, 'allocate() sent nothing');
    // Two rounds: the first answer (e.g. the 401) then the same bytes again for the retried request.
    for (let round = 0; round < 2; round++) {
      const last = sent[sent.length - 1] as Uint8Array;
      const datagram = input.slice();
      if (datagram.length >= 20) datagram.set(last.subarray(8, 20), 8);
      client.handleDatagram(datagram, server);
    }
    clock.advance(700_000);
    client.close();
  },
};
