// Media follows the answer (issue 10): a MediaStream under a fake clock, fed by a scripted peer that
// sends a 1 kHz tone in any format of the answer and changes format (PCMU <-> PCMA) and packet size
// (20 <-> 30 ms) mid-stream. Checked by content: the tone plays on, with no concealed or silent audio.
import { describe, expect, it } from 'vitest';
import type { AudioInput, AudioOutput } from '../../../src-main/audio/audio-device';
import { generateTone, toneCoverage } from '../../../src-main/audio/tone-analysis';
import { encodeAlaw, encodeUlaw } from '../../../src-main/codec/g711';
import { encodeDtmfEvent } from '../../../src-main/rtp/dtmf-event';
import type { MediaStartParams } from '../../../src-main/rtp/media-session';
import { MediaStream } from '../../../src-main/rtp/media-stream';
import { writeRtp } from '../../../src-main/rtp/rtp-packet';

class Silence implements AudioInput {
  readonly name = 'silence';
  async start(): Promise<void> {}
  read(frame: Int16Array): boolean {
    frame.fill(0);
    return true;
  }
  async close(): Promise<void> {}
}

class Recorder implements AudioOutput {
  readonly name = 'recorder';
  private readonly frames: Int16Array[] = [];
  async start(): Promise<void> {}
  write(frame: Int16Array): void {
    this.frames.push(frame.slice());
  }
  async close(): Promise<void> {}
  /** Samples played from `fromMs` to `toMs` (ms since the stream started). */
  samples(fromMs = 0, toMs = Infinity): Int16Array {
    const all = new Int16Array(this.frames.length * 160);
    this.frames.forEach((f, i) => all.set(f, i * 160));
    return all.subarray((fromMs * 8000) / 1000, Number.isFinite(toMs) ? (toMs * 8000) / 1000 : undefined);
  }
}

const PEER = { address: '198.51.100.7', port: 7000 };
/** One segment of the peer's stream: format and packet size, for a duration. */
interface Segment {
  pt: 0 | 8 | 18 | 101;
  packetMs: 10 | 20 | 30 | 40;
  ms: number;
}

/**
 * Runs a stream that answered `params`, while the peer sends the 1 kHz tone as `segments` (one RTP
 * stream: one SSRC, sequence and timestamp running on across changes). Packets arrive when their audio
 * is complete plus 15 ms; the tick is 20 ms.
 */
function receive(params: Partial<MediaStartParams>, segments: Segment[]) {
  let now = 1000;
  const start = now;
  const out = new Recorder();
  const stream = new MediaStream(
    { transport: { sendRtp() {}, sendRtcp() {} }, input: new Silence(), output: out, random: () => 0.5, wallClockMs: () => 1.7e12 + now, cname: 'x@test' },
    { remoteAddress: PEER.address, remotePort: PEER.port, codec: 'PCMU', payloadType: 0, ptime: 20, ...params },
    now,
  );
  const totalMs = segments.reduce((a, s) => a + s.ms, 0);
  const tone = generateTone(1000, totalMs / 1000 + 1, 8000, 0.5);
  const packets: Array<{ at: number; data: Uint8Array }> = [];
  let ts = 0;
  let seq = 100;
  for (const s of segments) {
    const n = s.packetMs * 8;
    for (let t = 0; t < s.ms; t += s.packetMs) {
      const payload = new Uint8Array(s.pt === 101 ? 4 : n);
      if (s.pt === 0) encodeUlaw(tone.subarray(ts, ts + n), payload);
      else if (s.pt === 8) encodeAlaw(tone.subarray(ts, ts + n), payload);
      else if (s.pt === 101) encodeDtmfEvent({ event: 5, end: false, volume: 10, duration: n }, payload);
      else payload.fill(0x55);
      const buf = new Uint8Array(12 + payload.length);
      writeRtp({ marker: false, payloadType: s.pt, sequenceNumber: seq++ & 0xffff, timestamp: ts, ssrc: 0x1234 }, payload, buf);
      packets.push({ at: start + (ts + n) / 8 + 15, data: buf });
      ts += n;
    }
  }
  let next = 0;
  // Stats when the last packet has arrived: after that the peer is silent, and silence is what plays.
  let atLastPacket = stream.stats();
  for (let t = 0; t < totalMs + 200; t += 20) {
    now = start + t;
    const waiting = next < packets.length;
    while (next < packets.length && (packets[next]?.at ?? Infinity) <= now) stream.receiveRtp((packets[next++] as { data: Uint8Array }).data, PEER, now);
    stream.playTick(now);
    if (waiting) atLastPacket = stream.stats();
  }
  return { out, stats: atLastPacket, totalMs };
}

describe('MediaStream plays every format of the answer', () => {
  it('plays PCMA from a peer when we answered "0 8" and send PCMU (was dropped: one-way audio)', () => {
    const r = receive({ receiveCodecs: [{ payloadType: 0, codec: 'PCMU' }, { payloadType: 8, codec: 'PCMA' }] }, [{ pt: 8, packetMs: 20, ms: 2000 }]);
    expect(toneCoverage(r.out.samples(200, 2000), 8000, 1000)).toBeGreaterThan(0.95);
    expect(r.stats.discarded).toBe(0);
    expect(r.stats.codec).toBe('PCMU'); // what we send does not change
  });

  it('still drops a format outside the answer (without receiveCodecs only the send format plays)', () => {
    const only = receive({}, [{ pt: 8, packetMs: 20, ms: 1000 }]);
    expect(toneCoverage(only.out.samples(), 8000, 1000)).toBe(0);
    expect(only.stats.discarded).toBe(50);
    const stranger = receive({ receiveCodecs: [{ payloadType: 0, codec: 'PCMU' }, { payloadType: 8, codec: 'PCMA' }] }, [{ pt: 18, packetMs: 20, ms: 1000 }]);
    expect(stranger.stats.discarded).toBe(50);
    expect(stranger.stats.packetsReceived).toBe(0);
  });

  it('follows PCMU -> PCMA -> PCMU and 20 -> 30 -> 20 ms mid-stream with no gap (no concealment, no silence)', () => {
    const r = receive({ receiveCodecs: [{ payloadType: 0, codec: 'PCMU' }, { payloadType: 8, codec: 'PCMA' }] }, [
      { pt: 0, packetMs: 20, ms: 1000 },
      { pt: 8, packetMs: 20, ms: 600 },
      { pt: 8, packetMs: 30, ms: 900 },
      { pt: 0, packetMs: 30, ms: 600 },
      { pt: 0, packetMs: 20, ms: 1000 },
      { pt: 8, packetMs: 10, ms: 500 },
    ]);
    // From the first played audio to the end of the peer's stream: every 20 ms window holds the tone.
    expect(toneCoverage(r.out.samples(200, r.totalMs), 8000, 1000)).toBe(1);
    expect(r.stats.concealedMs).toBe(0);
    expect(r.stats.packetsLost).toBe(0);
    expect(r.stats.late).toBe(0);
    expect(r.stats.discarded).toBe(0);
  });

  it('keeps RFC 4733 events out of the audio: an event in the middle is not played, the tone resumes', () => {
    const r = receive(
      { receiveCodecs: [{ payloadType: 0, codec: 'PCMU' }, { payloadType: 8, codec: 'PCMA' }], telephoneEventPayloadType: 101 },
      [
        { pt: 8, packetMs: 20, ms: 600 },
        { pt: 101, packetMs: 20, ms: 200 },
        { pt: 8, packetMs: 20, ms: 800 },
      ],
    );
    expect(r.stats.discarded).toBe(0);
    // RFC 3550 A.1: the first packet of a source is on probation and not counted.
    expect(r.stats.packetsReceived).toBe(79);
    // The 200 ms of the event are not audio: that much (and no more) is concealed or silent.
    expect(r.stats.concealedMs).toBeGreaterThanOrEqual(180);
    expect(r.stats.concealedMs).toBeLessThanOrEqual(220);
    expect(toneCoverage(r.out.samples(200, 600), 8000, 1000)).toBe(1);
    expect(toneCoverage(r.out.samples(1000, 1600), 8000, 1000)).toBe(1);
  });
});
