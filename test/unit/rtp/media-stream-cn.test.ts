// MediaStream with comfort noise (RFC 3389) and RTCP XR (RFC 3611) under a fake clock on an in-memory
// network: what is sent during silence, what the far end plays, and the XR figures both ends report.
import { describe, expect, it } from 'vitest';
import type { AudioInput, AudioOutput } from '../../../src-main/audio/audio-device';
import { generateTone, toneCoverage } from '../../../src-main/audio/tone-analysis';
import { ComfortNoiseGenerator } from '../../../src-main/rtp/comfort-noise-generator';
import { dbov, parseComfortNoise } from '../../../src-main/rtp/comfort-noise';
import type { MediaStartParams } from '../../../src-main/rtp/media-session';
import { MediaStream } from '../../../src-main/rtp/media-stream';
import { parseRtp, type RtpPacket } from '../../../src-main/rtp/rtp-packet';

/** 1 s of 1 kHz tone, 2 s of noise at -60 dBov, 1 s of tone (then noise again). */
class ScriptInput implements AudioInput {
  readonly name = 'script';
  onError?: (error: Error) => void;
  private pos = 0;
  private readonly tone = generateTone(1000, 1, 8000, 0.3);
  private readonly noise = new ComfortNoiseGenerator(11);
  constructor() {
    this.noise.set({ level: 60, coefficients: [] });
  }
  async start(): Promise<void> {}
  read(frame: Int16Array): boolean {
    const ms = (this.pos / 8) | 0;
    if (ms < 1000 || (ms >= 3000 && ms < 4000)) frame.set(this.tone.subarray(this.pos % 8000, (this.pos % 8000) + frame.length));
    else this.noise.fill(frame);
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
  between(fromMs: number, toMs: number): Int16Array {
    const all = new Int16Array(this.chunks.length * 160);
    this.chunks.forEach((c, i) => all.set(c, i * 160));
    return all.subarray(fromMs * 8, toMs * 8);
  }
}

function call(a: Partial<MediaStartParams>, b: Partial<MediaStartParams>) {
  let now = 1000;
  let wall = 1_700_000_000_000;
  const rtp: { from: 'a' | 'b'; packet: RtpPacket; atMs: number }[] = [];
  const streams: Record<'a' | 'b', MediaStream | undefined> = { a: undefined, b: undefined };
  const addr = { a: { address: '10.0.0.1', port: 4000 }, b: { address: '10.0.0.2', port: 6000 } };
  const transport = (self: 'a' | 'b') => {
    const other = self === 'a' ? 'b' : 'a';
    const from = (rtcp: boolean) => ({ address: addr[self].address, port: addr[self].port + (rtcp ? 1 : 0) });
    return {
      sendRtp: (data: Uint8Array, length: number) => {
        const copy = data.slice(0, length);
        rtp.push({ from: self, packet: parseRtp(copy) as RtpPacket, atMs: now });
        streams[other]?.receiveRtp(copy, from(false), now);
      },
      sendRtcp: (data: Uint8Array, length: number) => streams[other]?.receiveRtcp(data.slice(0, length), from(true), now),
    };
  };
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const outputs = { a: new Recorder(), b: new Recorder() };
  const base = (to: { address: string; port: number }): MediaStartParams => ({ remoteAddress: to.address, remotePort: to.port, codec: 'PCMU', payloadType: 0, ptime: 20 });
  streams.a = new MediaStream({ transport: transport('a'), input: new ScriptInput(), output: outputs.a, random, wallClockMs: () => wall, cname: 'a@t' }, { ...base(addr.b), ...a }, now);
  const quiet = new ComfortNoiseGenerator(3);
  quiet.set({ level: 70, coefficients: [] });
  const bInput: AudioInput = { name: 'quiet', start: async () => {}, close: async () => {}, read: (f) => (quiet.fill(f), true) };
  streams.b = new MediaStream({ transport: transport('b'), input: bInput, output: outputs.b, random, wallClockMs: () => wall, cname: 'b@t' }, { ...base(addr.a), ...b }, now);
  const sa = streams.a;
  const sb = streams.b;
  return {
    a: sa, b: sb, rtp, outputs,
    run(ms: number) {
      for (let t = 0; t < ms; t += 20) {
        now += 20;
        wall += 20;
        sa.sendTick(now);
        sb.sendTick(now);
        sa.playTick(now);
        sb.playTick(now);
      }
    },
  };
}

const CN = { comfortNoisePayloadType: 13 };

describe('MediaStream comfort noise', () => {
  it('sends SID packets instead of audio during silence and the far end plays noise at their level', () => {
    const c = call({ ...CN, silenceSuppression: true }, CN);
    c.run(4600);
    const fromA = c.rtp.filter((r) => r.from === 'a');
    const silence = fromA.filter((r) => r.atMs >= 2300 && r.atMs < 4000);
    // The input's clock starts at 1020 ms: silence from 2020 ms, sent from 2220 ms (200 ms hangover) as
    // one SID, then one a second; no audio.
    expect(silence.every((r) => r.packet.payloadType === 13 || r.atMs >= 4000)).toBe(true);
    expect(silence.length).toBeLessThanOrEqual(3);
    const sids = fromA.filter((r) => r.packet.payloadType === 13);
    expect(sids.length).toBeGreaterThanOrEqual(2);
    for (const s of sids) {
      expect(s.packet.marker).toBe(false);
      expect(parseComfortNoise(s.packet.payload)?.level).toBeGreaterThanOrEqual(59);
      expect(parseComfortNoise(s.packet.payload)?.level).toBeLessThanOrEqual(61);
    }
    // The talkspurt after the silence starts with the marker bit (RFC 3551 §4.1), with the timestamp
    // moved on by the silence.
    const firstAfter = fromA.find((r) => r.atMs > 4000 && r.packet.payloadType === 0);
    expect(firstAfter?.packet.marker).toBe(true);
    const lastSid = sids.filter((r) => r.atMs < firstAfter!.atMs).pop()!;
    expect(((firstAfter!.packet.timestamp - lastSid.packet.timestamp) >>> 0) / 8).toBeCloseTo(firstAfter!.atMs - lastSid.atMs, -1);
    // B heard the tone, then noise near -60 dBov (not digital zero), then the tone again.
    expect(toneCoverage(c.outputs.b.between(300, 1000), 8000, 1000)).toBeGreaterThan(0.9);
    const heardNoise = dbov(c.outputs.b.between(1600, 3000));
    expect(heardNoise).toBeGreaterThan(-62);
    expect(heardNoise).toBeLessThan(-58);
    expect(toneCoverage(c.outputs.b.between(3400, 4000), 8000, 1000)).toBeGreaterThan(0.9);
    // Nothing of this is loss or concealment.
    const sb = c.b.stats();
    expect(sb.packetsLost).toBe(0);
    expect(sb.concealedMs).toBe(0);
    expect(sb.quality?.r).toBeGreaterThan(90);
    expect(sb.comfortNoise?.received).toBe(sids.length);
    const sa = c.a.stats();
    expect(sa.comfortNoise?.sent).toBe(sids.length);
    expect(sa.comfortNoise?.suppressed).toBeGreaterThan(60);
    expect(sa.maxSendGapMs).toBe(20);
  });

  it('sends every frame as audio when the peer did not accept CN', () => {
    const c = call({ silenceSuppression: true }, {});
    c.run(3000);
    const fromA = c.rtp.filter((r) => r.from === 'a');
    expect(fromA.length).toBe(150);
    expect(fromA.every((r) => r.packet.payloadType === 0)).toBe(true);
    expect(c.a.stats().comfortNoise).toBeUndefined();
  });

  it('drops CN packets that are not CN-shaped, or when CN was not agreed', () => {
    const c = call({}, {});
    const junk = new Uint8Array([0x80, 13, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9, 40]);
    c.b.receiveRtp(junk, { address: '10.0.0.1', port: 4000 }, 1000);
    expect(c.b.stats().discarded).toBe(1);
    const d = call({}, CN);
    const tooLong = new Uint8Array(12 + 60);
    tooLong.set([0x80, 13, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9]);
    d.b.receiveRtp(tooLong, { address: '10.0.0.1', port: 4000 }, 1000);
    expect(d.b.stats().discarded).toBe(1);
  });
});

describe('MediaStream RTCP XR', () => {
  it('sends VoIP Metrics blocks and reports the peer\'s view of our audio', () => {
    const c = call({ ...CN, silenceSuppression: true, xrVoipMetrics: true }, { ...CN, xrVoipMetrics: true });
    c.run(12_000);
    const a = c.a.stats();
    const b = c.b.stats();
    // Each side's sent block is what the other received (the last one each way, on a lossless network).
    expect(a.xr?.sent).toBeDefined();
    expect(b.xr?.received).toEqual(a.xr?.sent);
    expect(a.xr?.received).toEqual(b.xr?.sent);
    expect(a.quality?.peer).toEqual(b.xr?.sent);
    expect(b.quality?.peer?.lossPercent).toBe(0);
    expect(b.quality?.peer?.r).toBeGreaterThan(85);
    expect(b.quality?.peer?.mosCq).toBeGreaterThan(4);
    expect(b.quality?.peer?.gmin).toBe(16);
    expect(b.quality?.peer?.jbAbsMaxMs).toBe(200);
    // B hears A's tone and A's comfort noise: both levels are known (dBm0 = dBov + 6).
    expect(b.xr?.sent?.signalDbm0).toBeGreaterThan(-20);
    expect(b.xr?.sent?.noiseDbm0).toBeGreaterThan(-58);
    expect(b.xr?.sent?.noiseDbm0).toBeLessThan(-50);
    expect(a.xr?.dropped).toBe(0);
  });

  it('sends no XR when it was not agreed', () => {
    const c = call({ xrVoipMetrics: true }, {});
    c.run(8000);
    expect(c.a.stats().quality?.peer).toBeUndefined();
    expect(c.b.stats().xr).toBeUndefined();
    expect(c.a.stats().xr?.received).toBeUndefined();
  });
});
