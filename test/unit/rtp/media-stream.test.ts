// MediaStream under a fake clock with an in-memory network: audio both ways, loss, DTMF, RTCP, latching,
// garbage, mute, direction, ptime and device failure, all checked by content.
import { describe, expect, it } from 'vitest';
import type { AudioInput, AudioOutput } from '../../../src-main/audio/audio-device';
import { generateTone, goertzelPower, toneCoverage } from '../../../src-main/audio/tone-analysis';
import { decodeDtmfEvent } from '../../../src-main/rtp/dtmf-event';
import type { MediaStartParams } from '../../../src-main/rtp/media-session';
import { MediaStream } from '../../../src-main/rtp/media-stream';
import { parseRtcp } from '../../../src-main/rtp/rtcp';
import { parseRtp, type RtpPacket } from '../../../src-main/rtp/rtp-packet';

class ToneInput implements AudioInput {
  readonly name = 'tone';
  onError?: (error: Error) => void;
  private pos = 0;
  constructor(private readonly samples: Int16Array) {}
  async start(): Promise<void> {}
  read(frame: Int16Array): boolean {
    for (let i = 0; i < frame.length; i++) frame[i] = this.samples[(this.pos + i) % this.samples.length] as number;
    this.pos += frame.length;
    return true;
  }
  async close(): Promise<void> {}
}

class Recorder implements AudioOutput {
  readonly name = 'recorder';
  onError?: (error: Error) => void;
  chunks: Int16Array[] = [];
  async start(): Promise<void> {}
  write(frame: Int16Array): void {
    this.chunks.push(frame.slice());
  }
  async close(): Promise<void> {}
  samples(fromMs = 0): Int16Array {
    const all = new Int16Array(this.chunks.length * 160);
    this.chunks.forEach((c, i) => all.set(c, i * 160));
    return all.subarray((fromMs * 8000) / 1000);
  }
}

interface Sent {
  kind: 'rtp' | 'rtcp';
  data: Uint8Array;
  port: number;
  address: string;
}

/** Two streams on a fake network: A at 10.0.0.1:4000, B at 10.0.0.2:6000 (RTCP on +1). */
function call(opts: { a?: Partial<MediaStartParams>; b?: Partial<MediaStartParams>; dropAtoB?: (n: number) => boolean } = {}) {
  let now = 1000;
  let wall = 1_700_000_000_000;
  const sent: Sent[] = [];
  const streams: Record<string, MediaStream> = {};
  const addr = { a: { address: '10.0.0.1', port: 4000 }, b: { address: '10.0.0.2', port: 6000 } };
  let aToB = 0;
  const transport = (self: 'a' | 'b') => {
    const send = (kind: 'rtp' | 'rtcp') => (data: Uint8Array, length: number, port: number, address: string) => {
      const copy = data.slice(0, length);
      sent.push({ kind, data: copy, port, address });
      const other = self === 'a' ? 'b' : 'a';
      const target = addr[other];
      if (address !== target.address) return;
      if (self === 'a' && kind === 'rtp' && opts.dropAtoB?.(aToB++)) return;
      const from = { address: addr[self].address, port: addr[self].port + (kind === 'rtcp' ? 1 : 0) };
      if (kind === 'rtp' && port === target.port) streams[other]?.receiveRtp(copy, from, now);
      if (kind === 'rtcp' && port === target.port + 1) streams[other]?.receiveRtcp(copy, from, now);
    };
    return { sendRtp: send('rtp'), sendRtcp: send('rtcp') };
  };
  const inputs = { a: new ToneInput(generateTone(1000, 1, 8000)), b: new ToneInput(generateTone(1500, 1, 8000)) };
  const outputs = { a: new Recorder(), b: new Recorder() };
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const params = (to: { address: string; port: number }, extra?: Partial<MediaStartParams>): MediaStartParams => ({
    remoteAddress: to.address, remotePort: to.port, codec: 'PCMU', payloadType: 0, ptime: 20, ...extra,
  });
  for (const self of ['a', 'b'] as const) {
    const other = self === 'a' ? 'b' : 'a';
    streams[self] = new MediaStream(
      { transport: transport(self), input: inputs[self], output: outputs[self], random, wallClockMs: () => wall, cname: `${self}@test` },
      params(addr[other], self === 'a' ? opts.a : opts.b),
      now,
    );
  }
  const a = streams.a as MediaStream;
  const b = streams.b as MediaStream;
  return {
    a, b, inputs, outputs, sent, addr,
    run(ms: number) {
      for (let t = 0; t < ms; t += 20) {
        now += 20;
        wall += 20;
        a.sendTick(now);
        b.sendTick(now);
        a.playTick(now);
        b.playTick(now);
      }
    },
    rtpFrom(port: number): RtpPacket[] {
      return sent.filter((s) => s.kind === 'rtp' && s.port === port).map((s) => parseRtp(s.data) as RtpPacket);
    },
    get now() {
      return now;
    },
  };
}

describe('MediaStream', () => {
  it('carries each side\'s tone to the other with no loss', () => {
    const c = call();
    c.run(2000);
    expect(toneCoverage(c.outputs.b.samples(200), 8000, 1000, { otherFreqs: [1500] })).toBeGreaterThan(0.95);
    expect(toneCoverage(c.outputs.a.samples(200), 8000, 1500, { otherFreqs: [1000] })).toBeGreaterThan(0.95);
    const s = c.a.stats();
    expect(s.packetsSent).toBe(100);
    expect(s.octetsSent).toBe(16000);
    expect(s.packetsReceived).toBeGreaterThanOrEqual(98);
    expect(s.packetsLost).toBe(0);
    expect(s.remote).toBe('10.0.0.2:6000');
    expect(s.maxSendGapMs).toBe(20);
    // Issue 13: nothing lost, ~65 ms mouth-to-ear (no RTT on a fake network): G.107 near its 93.2 ceiling.
    expect(s.quality?.r).toBeGreaterThan(90);
    expect(s.quality?.r).toBeLessThanOrEqual(93.2);
    expect(s.quality?.mos).toBeGreaterThan(4.3);
  });

  it('counts lost packets and conceals them', () => {
    const c = call({ dropAtoB: (n) => n % 10 === 5 });
    c.run(2000);
    const s = c.b.stats();
    expect(s.packetsLost).toBeGreaterThanOrEqual(9);
    expect(s.packetsLost).toBeLessThanOrEqual(10);
    // G.711 Appendix I concealment carries the tone on through the lost packets.
    expect(toneCoverage(c.outputs.b.samples(200), 8000, 1000)).toBeGreaterThan(0.85);
    // 10 % random loss with Appendix I PLC (Bpl 25.1): Ie,eff = 95 x 10 / 35.1 = 27, so R is about 66.
    expect(s.quality?.r).toBeGreaterThan(60);
    expect(s.quality?.r).toBeLessThan(70);
    expect(s.quality?.mos).toBeLessThan(3.5);
    expect(c.a.stats().quality?.r).toBeGreaterThan(90); // the other direction lost nothing
  });

  it('sends DTMF as RFC 4733 events in place of voice', () => {
    const c = call({ a: { telephoneEventPayloadType: 101 } });
    c.run(200);
    expect(c.a.sendDtmf('1', 100)).toBe(true);
    c.run(400);
    const pkts = c.rtpFrom(6000);
    const events = pkts.filter((p) => p.payloadType === 101);
    expect(events).toHaveLength(7); // 5 x 20 ms + the end packet sent twice more
    const decoded = events.map((p) => decodeDtmfEvent(p.payload));
    expect(decoded.map((d) => d?.event)).toEqual(Array(7).fill(1));
    expect(decoded.map((d) => d?.duration)).toEqual([160, 320, 480, 640, 800, 800, 800]);
    expect(decoded.map((d) => d?.end)).toEqual([false, false, false, false, true, true, true]);
    expect(events.map((p) => p.marker)).toEqual([true, false, false, false, false, false, false]);
    expect(new Set(events.map((p) => p.timestamp)).size).toBe(1);
    // Sequence numbers run on through voice and events alike; voice resumes with a marker bit after.
    for (let i = 1; i < pkts.length; i++) expect(pkts[i]?.sequenceNumber).toBe(((pkts[i - 1]?.sequenceNumber as number) + 1) & 0xffff);
    const lastEvent = pkts.lastIndexOf(events[6] as RtpPacket);
    const resumed = pkts[lastEvent + 1] as RtpPacket;
    expect(resumed.payloadType).toBe(0);
    expect(resumed.marker).toBe(true);
    expect(resumed.timestamp - (events[0] as RtpPacket).timestamp).toBeGreaterThanOrEqual(800);
    // Without a negotiated telephone-event type, nothing is sent.
    expect(c.b.sendDtmf('1', 100)).toBe(false);
  });

  it('reports over RTCP (SR with counts, RR blocks about us, round-trip time) and says BYE', () => {
    const c = call();
    c.run(12_000);
    const rtcp = c.sent.filter((s) => s.kind === 'rtcp' && s.port === 6001).map((s) => parseRtcp(s.data));
    expect(rtcp.length).toBeGreaterThanOrEqual(2);
    const sr = rtcp.flatMap((p) => p ?? []).filter((p) => p.type === 'sr').pop();
    expect(sr?.type).toBe('sr');
    if (sr?.type === 'sr') {
      expect(sr.sender.packets).toBeGreaterThan(100);
      expect(sr.sender.octets).toBe(sr.sender.packets * 160);
      expect(sr.reports[0]?.cumulativeLost).toBe(0);
      expect(sr.reports[0]?.extendedHighestSeq).toBeGreaterThan(0);
    }
    // No network delay here: A - LSR - DLSR is ~0 (RFC 3550 §6.4.1).
    expect(c.a.stats().roundTripMs).toBeGreaterThanOrEqual(0);
    expect(c.a.stats().roundTripMs).toBeLessThan(5);
    // Issue 10: the peer's accepted reports are counted (the no-RTP watchdog takes them as signs of life).
    expect(c.a.stats().rtcpReceived).toBeGreaterThanOrEqual(2);
    c.a.close();
    const last = parseRtcp(c.sent.filter((s) => s.kind === 'rtcp' && s.port === 6001).pop()?.data as Uint8Array);
    expect(last?.some((p) => p.type === 'bye')).toBe(true);
  });

  it('latches onto the peer\'s real source when SDP gave a wrong port, and ignores strangers', () => {
    const c = call({ b: { remotePort: 4444 } });
    const latched: unknown[] = [];
    c.b.on('latched', (l) => latched.push(l));
    // A stranger's single well-formed packet does not move B.
    const stranger = c.rtpFrom(6000);
    c.b.receiveRtp(new Uint8Array([0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 0xff]), { address: '10.9.9.9', port: 9 }, c.now);
    expect(stranger).toHaveLength(0);
    c.run(1000);
    expect(latched).toEqual([{ address: '10.0.0.1', port: 4000 }]);
    expect(c.b.stats().remote).toBe('10.0.0.1:4000');
    expect(toneCoverage(c.outputs.a.samples(300), 8000, 1500)).toBeGreaterThan(0.9);
    // After latching, a stranger's in-sequence stream is dropped and counted.
    const before = c.b.stats().discarded ?? 0;
    for (let i = 0; i < 5; i++) {
      const pkt = new Uint8Array(172);
      pkt.set([0x80, 0, 0, i, 0, 0, 0, 0, 0, 0, 0, 9]);
      c.b.receiveRtp(pkt, { address: '10.9.9.9', port: 9 }, c.now);
    }
    expect((c.b.stats().discarded ?? 0) - before).toBe(5);
    expect(c.b.stats().remote).toBe('10.0.0.1:4000');
  });

  it('counts and drops garbage without disturbing the audio', () => {
    const c = call();
    c.run(500);
    const junk = [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(200).fill(0x40), new Uint8Array(50).map((_, i) => (i * 73) & 0xff)];
    for (let i = 0; i < 25; i++) for (const j of junk) c.b.receiveRtp(j, { address: '10.0.0.1', port: 4000 }, c.now);
    const rtcpBefore = c.b.stats().rtcpReceived;
    for (const j of junk) c.b.receiveRtcp(j, { address: '10.0.0.1', port: 4001 }, c.now);
    expect(c.b.stats().rtcpReceived).toBe(rtcpBefore); // garbage on the RTCP port is no sign of the peer
    c.run(1500);
    expect(c.b.stats().discarded).toBe(104);
    expect(c.b.stats().packetsLost).toBe(0);
    expect(toneCoverage(c.outputs.b.samples(200), 8000, 1000)).toBeGreaterThan(0.95);
  });

  it('sends silence when muted and nothing in recvonly/inactive', () => {
    const c = call();
    c.a.setMuted(true);
    c.run(600);
    expect(toneCoverage(c.outputs.b.samples(), 8000, 1000)).toBe(0);
    expect(c.rtpFrom(6000).every((p) => p.payload.every((x) => x === 0xff))).toBe(true); // μ-law silence
    c.a.update({ remoteAddress: '10.0.0.2', remotePort: 6000, codec: 'PCMU', payloadType: 0, ptime: 20, direction: 'recvonly' }, c.now);
    const sentBefore = c.a.stats().packetsSent;
    c.run(400);
    expect(c.a.stats().packetsSent).toBe(sentBefore);
    // A still plays what B sends.
    expect(toneCoverage(c.outputs.a.samples(700), 8000, 1500)).toBeGreaterThan(0.9);
  });

  it('held by us (issue 11: sendonly and muted): what the peer still sends is not played, ours is silence', () => {
    const c = call();
    c.run(400);
    c.a.setMuted(true);
    c.a.update({ remoteAddress: '10.0.0.2', remotePort: 6000, codec: 'PCMU', payloadType: 0, ptime: 20, direction: 'sendonly' }, c.now);
    const heardBefore = c.outputs.a.chunks.length;
    const sentBefore = c.rtpFrom(6000).length;
    c.run(1000);
    // B kept sending its tone (a peer that ignores recvonly); A played none of it.
    expect(c.b.stats().packetsSent).toBeGreaterThan(60);
    const heldOut = c.outputs.a.samples((heardBefore * 20));
    expect(heldOut.length).toBeGreaterThan(7000);
    expect(heldOut.every((x) => x === 0)).toBe(true);
    // A still sends (RFC 3264 §8.4: sendonly), but only μ-law silence.
    const held = c.rtpFrom(6000).slice(sentBefore + 1);
    expect(held.length).toBeGreaterThan(40);
    expect(held.every((p) => p.payload.every((x) => x === 0xff))).toBe(true);
  });

  it('honours a 40 ms ptime and plays 40 ms packets from the peer', () => {
    const c = call({ a: { ptime: 40, codec: 'PCMA', payloadType: 8 }, b: { codec: 'PCMA', payloadType: 8 } });
    c.run(2000);
    const fromA = c.rtpFrom(6000);
    expect(fromA.length).toBe(50);
    expect(fromA.every((p) => p.payload.length === 320 && p.payloadType === 8)).toBe(true);
    expect(toneCoverage(c.outputs.b.samples(300), 8000, 1000)).toBeGreaterThan(0.9);
    expect(c.a.stats().codec).toBe('PCMA');
  });

  it('reports a failing microphone and keeps sending silence', () => {
    const c = call();
    const errors: string[] = [];
    c.a.on('error', (e) => errors.push(e.message));
    c.run(400);
    c.inputs.a.onError?.(new Error("microphone 'USB headset' stopped delivering audio"));
    const sentBefore = c.a.stats().packetsSent;
    c.run(400);
    expect(errors).toEqual(["microphone 'USB headset' stopped delivering audio"]);
    expect(c.a.stats().packetsSent).toBe(sentBefore + 20);
    expect(c.rtpFrom(6000).slice(-10).every((p) => p.payload.every((x) => x === 0xff))).toBe(true);
  });
});

describe('MediaStream keys (issue 11)', () => {
  it('reports each received RFC 4733 key once, in order, however many packets carry it', () => {
    const c = call({ a: { telephoneEventPayloadType: 101 }, b: { telephoneEventPayloadType: 101 } });
    const keys: string[] = [];
    c.b.on('dtmf', ({ digit }) => keys.push(digit));
    c.run(200);
    expect(c.a.sendDtmf('159#', 100)).toBe(true);
    c.run(2000);
    expect(keys).toEqual(['1', '5', '9', '#']);
    // Each key went as 7 packets (updates and three end packets): 28 in all, 4 reports.
    expect(c.rtpFrom(6000).filter((p) => p.payloadType === 101)).toHaveLength(28);
  });

  it('sends in-band keys as the Q.23 tone pair in the audio, not as events', () => {
    const c = call({ a: { telephoneEventPayloadType: 101 } });
    c.run(200);
    expect(c.a.sendDtmf('5', 200, 'inband')).toBe(true);
    c.run(600);
    expect(c.rtpFrom(6000).filter((p) => p.payloadType === 101)).toHaveLength(0);
    // B's speaker: the 200 ms of 770 Hz + 1336 Hz (key 5) where A's 1000 Hz tone was, none of the
    // other rows' or columns' frequencies.
    const heard = c.outputs.b.samples();
    const win = 160;
    let both = 0;
    for (let s = 0; s + win <= heard.length; s += win) {
      const p = (f: number) => goertzelPower(heard, s, win, f, 8000);
      const quiet = [697, 852, 941, 1209, 1477, 1000].every((f) => p(f) * 5 < p(770) && p(f) * 5 < p(1336));
      if (quiet && p(770) > 1e6 && p(1336) > 1e6) both++;
    }
    expect(both).toBeGreaterThanOrEqual(8);
    expect(both).toBeLessThanOrEqual(11);
  });
});

describe('MediaStream volume (issue 11)', () => {
  it('microphone gain changes what is sent, speaker gain what is played, both by amplitude', () => {
    const level = (s: Int16Array) => Math.sqrt(goertzelPower(s, 0, s.length, 1000, 8000) * 2) / 32767;
    const plain = call();
    plain.run(1000);
    const base = level(plain.outputs.b.samples(300));
    expect(base).toBeGreaterThan(0.4); // the 0.5 tone, through G.711

    const quieter = call();
    quieter.a.setGain(0.5, 1); // A's microphone at 50 %: B hears half
    quieter.run(1000);
    expect(level(quieter.outputs.b.samples(300)) / base).toBeCloseTo(0.5, 1);

    const speaker = call();
    speaker.b.setGain(1, 0.25); // B's speaker at 25 %
    speaker.run(1000);
    expect(level(speaker.outputs.b.samples(300)) / base).toBeCloseTo(0.25, 1);
    // B's own microphone is untouched by its speaker volume: A hears B's 1500 Hz tone as before.
    expect(toneCoverage(speaker.outputs.a.samples(300), 8000, 1500)).toBeGreaterThan(0.95);
  });
});
