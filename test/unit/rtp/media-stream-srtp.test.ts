// MediaStream with SRTP (RFC 3711) under a fake clock: both ends encrypt and decrypt RTP and RTCP with the
// negotiated keys; what crosses the network is not G.711 of the tone; forged and replayed packets are
// dropped, counted and never played; a re-INVITE with the same local key keeps the sending context.
import { describe, expect, it } from 'vitest';
import type { AudioInput, AudioOutput } from '../../../src-main/audio/audio-device';
import { generateTone, toneCoverage } from '../../../src-main/audio/tone-analysis';
import { decodeUlaw } from '../../../src-main/codec/g711';
import type { MediaStartParams } from '../../../src-main/rtp/media-session';
import { MediaStream } from '../../../src-main/rtp/media-stream';
import type { SrtpParams } from '../../../src-main/rtp/srtp-session';

class ToneInput implements AudioInput {
  readonly name = 'tone';
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

const KEY_A = Buffer.alloc(30, 0x11).toString('base64');
const KEY_B = Buffer.alloc(30, 0x22).toString('base64');
const srtpOf = (local: string, remote: string): SrtpParams => ({ suite: 'AES_CM_128_HMAC_SHA1_80', localKey: local, remoteKey: remote });

interface Wire {
  kind: 'rtp' | 'rtcp';
  data: Uint8Array;
  to: 'a' | 'b';
}

/** A at 10.0.0.1:4000, B at 10.0.0.2:6000; `tap` sees (and may replace) every datagram. */
function pair(a: Partial<MediaStartParams>, b: Partial<MediaStartParams>) {
  let now = 1000;
  const wire: Wire[] = [];
  const addr = { a: { address: '10.0.0.1', port: 4000 }, b: { address: '10.0.0.2', port: 6000 } };
  const streams: Record<string, MediaStream> = {};
  const deliver = (w: Wire) => {
    const from = w.to === 'a' ? addr.b : addr.a;
    const s = streams[w.to] as MediaStream;
    if (w.kind === 'rtp') s.receiveRtp(w.data.slice(), from, now);
    else s.receiveRtcp(w.data.slice(), { address: from.address, port: from.port + 1 }, now);
  };
  const transport = (self: 'a' | 'b') => {
    const send = (kind: 'rtp' | 'rtcp') => (data: Uint8Array, length: number) => {
      const w: Wire = { kind, data: data.slice(0, length), to: self === 'a' ? 'b' : 'a' };
      wire.push(w);
      deliver(w);
    };
    return { sendRtp: send('rtp'), sendRtcp: send('rtcp') };
  };
  const outputs = { a: new Recorder(), b: new Recorder() };
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (const self of ['a', 'b'] as const) {
    const other = self === 'a' ? 'b' : 'a';
    const input = new ToneInput(generateTone(self === 'a' ? 1000 : 1500, 1, 8000));
    streams[self] = new MediaStream(
      { transport: transport(self), input, output: outputs[self], random, wallClockMs: () => 1_700_000_000_000 + now, cname: `${self}@test` },
      { remoteAddress: addr[other].address, remotePort: addr[other].port, codec: 'PCMU', payloadType: 0, ptime: 20, ...(self === 'a' ? a : b) },
      now,
    );
  }
  return {
    a: streams.a as MediaStream,
    b: streams.b as MediaStream,
    outputs,
    wire,
    deliver,
    run(ms: number) {
      for (let t = 0; t < ms; t += 20) {
        now += 20;
        for (const s of [streams.a, streams.b]) s?.sendTick(now);
        for (const s of [streams.a, streams.b]) s?.playTick(now);
      }
    },
  };
}

function wirePayloadAudio(wire: Wire[], to: 'a' | 'b'): Int16Array {
  const pkts = wire.filter((w) => w.kind === 'rtp' && w.to === to);
  const out = new Int16Array(pkts.length * 160);
  pkts.forEach((p, i) => decodeUlaw(p.data.subarray(12, 172), out.subarray(i * 160, i * 160 + 160)));
  return out;
}

describe('MediaStream with SRTP', () => {
  it('carries both tones; the wire holds SRTP (tag appended, payload not the tone); RTCP is SRTCP', () => {
    const c = pair({ srtp: srtpOf(KEY_A, KEY_B) }, { srtp: srtpOf(KEY_B, KEY_A) });
    c.run(6000);
    expect(toneCoverage(c.outputs.b.samples(200), 8000, 1000, { otherFreqs: [1500] })).toBeGreaterThan(0.95);
    expect(toneCoverage(c.outputs.a.samples(200), 8000, 1500, { otherFreqs: [1000] })).toBeGreaterThan(0.95);
    const rtp = c.wire.filter((w) => w.kind === 'rtp');
    expect(rtp.every((w) => w.data.length === 12 + 160 + 10)).toBe(true);
    expect(toneCoverage(wirePayloadAudio(c.wire, 'b'), 8000, 1000)).toBeLessThan(0.02);
    const rtcp = c.wire.filter((w) => w.kind === 'rtcp');
    expect(rtcp.length).toBeGreaterThan(0);
    // SRTCP: E bit set in the word before the 10-octet tag (RFC 3711 §3.4).
    for (const w of rtcp) expect((w.data[w.data.length - 14] as number) & 0x80).toBe(0x80);
    const s = c.a.stats();
    expect(s.srtp).toEqual({ suite: 'AES_CM_128_HMAC_SHA1_80', authFailures: 0, replayed: 0 });
    expect(s.rtcpReceived).toBeGreaterThan(0);
    expect(s.discarded).toBe(0);
  });

  it('a peer with the wrong key is never played: every packet dropped and counted', () => {
    const wrong = Buffer.alloc(30, 0x33).toString('base64');
    const c = pair({ srtp: srtpOf(KEY_A, KEY_B) }, { srtp: srtpOf(KEY_B, wrong) });
    c.run(2000);
    const s = c.b.stats();
    expect(s.packetsReceived).toBe(0);
    expect(s.srtp?.authFailures).toBeGreaterThanOrEqual(99);
    expect(s.discarded).toBe(s.srtp?.authFailures);
    expect(toneCoverage(c.outputs.b.samples(), 8000, 1000)).toBe(0);
    expect(Math.max(...c.outputs.b.samples().map(Math.abs))).toBe(0);
  });

  it('plain RTP sent to an SRTP stream is dropped, not played', () => {
    const c = pair({}, { srtp: srtpOf(KEY_B, KEY_A) });
    c.run(1000);
    expect(c.b.stats().packetsReceived).toBe(0);
    expect(Math.max(...c.outputs.b.samples().map(Math.abs))).toBe(0);
  });

  it('replayed packets are dropped and counted, a tampered copy of an old one too', () => {
    const c = pair({ srtp: srtpOf(KEY_A, KEY_B) }, { srtp: srtpOf(KEY_B, KEY_A) });
    c.run(400);
    const old = c.wire.filter((w) => w.kind === 'rtp' && w.to === 'b').slice(0, 5);
    for (const w of old) c.deliver(w);
    const forged = { ...(old[4] as Wire), data: (old[4] as Wire).data.slice() };
    forged.data[40] = (forged.data[40] as number) ^ 0x55;
    c.deliver(forged);
    const s = c.b.stats();
    // The forged copy carries index 4 again: the replay list turns it away before its tag is even checked.
    expect(s.srtp?.replayed).toBe(6);
    expect(s.srtp?.authFailures).toBe(0);
    expect(s.discarded).toBe(6);
  });

  it('a re-INVITE with a new peer key keeps our sending context (no keystream reuse) and takes the new key', () => {
    const KEY_B2 = Buffer.alloc(30, 0x44).toString('base64');
    const c = pair({ srtp: srtpOf(KEY_A, KEY_B) }, { srtp: srtpOf(KEY_B, KEY_A) });
    c.run(1000);
    const base = { remoteAddress: '10.0.0.1', remotePort: 4000, codec: 'PCMU' as const, payloadType: 0, ptime: 20 };
    c.b.update({ ...base, srtp: srtpOf(KEY_B2, KEY_A) }, 0);
    c.a.update({ remoteAddress: '10.0.0.2', remotePort: 6000, codec: 'PCMU', payloadType: 0, ptime: 20, srtp: srtpOf(KEY_A, KEY_B2) }, 0);
    c.run(2000);
    expect(c.a.stats().srtp?.authFailures).toBe(0);
    expect(c.b.stats().srtp?.authFailures).toBe(0);
    expect(toneCoverage(c.outputs.a.samples(1600), 8000, 1500)).toBeGreaterThan(0.9);
    expect(toneCoverage(c.outputs.b.samples(1600), 8000, 1000)).toBeGreaterThan(0.9);
  });
});

describe('no-audio warning with SRTP', () => {
  it('names failing SRTP authentication instead of a firewall', async () => {
    const { noAudioText } = await import('../../../src-main/rtp/no-rtp-watchdog');
    const text = noAudioText(5000, true, 'direct', undefined, { suite: 'AES_CM_128_HMAC_SHA1_80', authFailures: 250, replayed: 0 });
    expect(text).toBe('no audio from the other side for 5 s: its packets arrive but fail SRTP authentication (250 dropped); the keys do not match, e.g. a server in the path changed the SDP');
    expect(noAudioText(5000, true, 'direct', undefined, { suite: 'AES_CM_128_HMAC_SHA1_80', authFailures: 0, replayed: 0 })).toMatch(/firewall/);
  });
});
