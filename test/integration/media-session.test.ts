// Two real MediaSessions (media worker, UDP on 127.0.0.1, WAV devices) talking to each other: tones both
// ways with PCMU and PCMA, garbage on the RTP/RTCP ports, symmetric RTP latching, worker crash handling.
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toneCoverage } from '../../src-main/audio/tone-analysis';
import type { CodecName, MediaEndpoint, MediaSession, RtpStats } from '../../src-main/rtp/media-session';
import { createMediaSession, createWorkerMediaSession, mediaWorkerThreadForTests } from '../../src-main/rtp/media-session.node';
import { writeRtp } from '../../src-main/rtp/rtp-packet';
import { encodeUlaw } from '../../src-main/codec/g711';
import { generateTone } from '../../src-main/audio/tone-analysis';
import { readWav, tempDir, waitFor, writeToneWav } from '../support/media-helpers';

const PT: Record<CodecName, number> = { PCMU: 0, PCMA: 8, G722: 9, OPUS: 111 };
const ports = { bindAddress: '127.0.0.1', portMin: 30000, portMax: 39999 };
let tmp: ReturnType<typeof tempDir>;
let toneA: string; // 1 kHz, 8 kHz mono
let toneB: string; // 1.5 kHz, 44.1 kHz stereo: exercises the file device's resampling and down-mix

beforeAll(() => {
  tmp = tempDir('media-session');
  toneA = writeToneWav(join(tmp.dir, 'a-1000.wav'), 1000, 2, 8000, 1);
  toneB = writeToneWav(join(tmp.dir, 'b-1500.wav'), 1500, 2, 44100, 2);
});
afterAll(() => tmp.remove());

interface Peer {
  session: MediaSession;
  endpoint: MediaEndpoint;
  record: string;
  errors: string[];
}

async function peer(name: string, play: string): Promise<Peer> {
  const record = join(tmp.dir, `${name}-${Date.now()}-rec.wav`);
  const session = createMediaSession({ audio: { kind: 'file', play, record, loop: true }, ...ports });
  const errors: string[] = [];
  session.on('error', (e) => errors.push(e.message));
  return { session, endpoint: await session.open(), record, errors };
}

/** Waits until both sides have received `packets` packets (20 ms each). */
async function talk(a: Peer, b: Peer, packets: number): Promise<void> {
  await waitFor(
    `${packets} packets both ways`,
    async () => {
      const [sa, sb] = await Promise.all([a.session.stats(), b.session.stats()]);
      return sa.packetsReceived >= packets && sb.packetsReceived >= packets;
    },
    packets * 20 + 5000,
    100,
  );
}

/** Fraction of 20 ms windows after the first 200 ms that carry `freq` and not `other`. */
function coverage(path: string, freq: number, other: number): number {
  const wav = readWav(path);
  expect(wav.sampleRate).toBe(8000);
  expect(wav.channels).toBe(1);
  const after = wav.samples.subarray(1600); // 200 ms
  expect(after.length).toBeGreaterThan(8000 * 1.5);
  return toneCoverage(after, 8000, freq, { otherFreqs: [other] });
}

function expectCleanCall(s: RtpStats, codec: CodecName, minPackets: number): void {
  expect(s.codec).toBe(codec);
  expect(s.packetsSent).toBeGreaterThanOrEqual(minPackets);
  expect(s.packetsReceived).toBeGreaterThanOrEqual(minPackets);
  expect(s.octetsReceived).toBeGreaterThanOrEqual(minPackets * 160);
  expect(s.packetsLost).toBe(0);
  expect(s.duplicates).toBe(0);
  // No send-gap limit: that is speed, measured by `npm run bench` (RTP send interval p99/max).
}

/** Sends `count` rounds of assorted junk to an RTP and RTCP port pair from a stranger's socket. */
async function throwGarbage(target: MediaEndpoint, rounds: number): Promise<number> {
  const stranger: Socket = createSocket('udp4');
  await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', r));
  const send = (data: Uint8Array, port: number) => new Promise<void>((r) => stranger.send(data, port, '127.0.0.1', () => r()));
  // A loud 3 kHz tone in well-formed PCMU from a third address: it must never be played.
  const noise = new Uint8Array(160);
  encodeUlaw(generateTone(3000, 0.02, 8000, 0.9), noise);
  const pkt = new Uint8Array(12 + 160);
  let sent = 0;
  for (let i = 0; i < rounds; i++) {
    const random = new Uint8Array(20 + ((i * 37) % 200)).map(() => Math.floor(Math.random() * 256));
    const wrongVersion = new Uint8Array(172);
    wrongVersion[0] = 0x40; // version 1
    writeRtp({ marker: false, payloadType: 0, sequenceNumber: 1000 + i, timestamp: 160 * i, ssrc: 0xbad }, noise, pkt);
    const junk = [random, new Uint8Array([0x80, 0]), wrongVersion, pkt.slice()];
    for (const d of junk) await send(d, target.rtpPort);
    await send(random, target.rtcpPort);
    sent += junk.length + 1;
    await new Promise((r) => setTimeout(r, 20));
  }
  stranger.close();
  return sent;
}

describe('MediaSession over loopback with WAV devices', () => {
  for (const codec of ['PCMU', 'PCMA'] as const) {
    it(`carries a 1 kHz and a 1.5 kHz tone both ways with ${codec}, unharmed by garbage`, async () => {
      const a = await peer('a', toneA);
      const b = await peer('b', toneB);
      expect(a.endpoint.rtpPort % 2).toBe(0);
      expect(a.endpoint.rtcpPort).toBe(a.endpoint.rtpPort + 1);
      const levels: number[] = [];
      a.session.on('level', (l) => levels.push(l.input));
      await a.session.start({ remoteAddress: '127.0.0.1', remotePort: b.endpoint.rtpPort, codec, payloadType: PT[codec], ptime: 20 });
      await b.session.start({ remoteAddress: '127.0.0.1', remotePort: a.endpoint.rtpPort, codec, payloadType: PT[codec], ptime: 20 });
      await talk(a, b, 25);
      const junk = await Promise.all([throwGarbage(a.endpoint, 40), throwGarbage(b.endpoint, 40)]);
      await talk(a, b, 150);
      const [sa, sb] = [await a.session.close(), await b.session.close()];

      expectCleanCall(sa, codec, 140);
      expectCleanCall(sb, codec, 140);
      expect(sa.remote).toBe(`127.0.0.1:${b.endpoint.rtpPort}`);
      expect(sa.discarded).toBeGreaterThanOrEqual(junk[0] as number);
      expect(sb.discarded).toBeGreaterThanOrEqual(junk[1] as number);
      expect(coverage(a.record, 1500, 1000)).toBeGreaterThanOrEqual(0.9);
      expect(coverage(b.record, 1000, 1500)).toBeGreaterThanOrEqual(0.9);
      // The stranger's 3 kHz never reached a speaker.
      expect(toneCoverage(readWav(a.record).samples, 8000, 3000)).toBe(0);
      expect(toneCoverage(readWav(b.record).samples, 8000, 3000)).toBe(0);
      // Levels at <= 10 Hz, showing the microphone's tone (amplitude 0.5).
      expect(levels.length).toBeGreaterThan(10);
      expect(levels.length).toBeLessThan(60);
      expect(Math.max(...levels)).toBeGreaterThan(0.4);
      expect([...a.errors, ...b.errors]).toEqual([]);
    });
  }

  it('latches onto the source of the peer (symmetric RTP) when its SDP gave a private address (behind NAT)', async () => {
    // Issue 9: learning happens only for a private SDP address (the peer cannot know its public one);
    // 10.255.255.1 stands for the peer's LAN address, unreachable from here.
    const a = await peer('sa', toneA);
    const b = await peer('sb', toneB);
    const latched: { address: string; port: number }[] = [];
    b.session.on('latched', (l) => latched.push(l));
    await a.session.start({ remoteAddress: '127.0.0.1', remotePort: b.endpoint.rtpPort, codec: 'PCMU', payloadType: 0, ptime: 20 });
    await b.session.start({ remoteAddress: '10.255.255.1', remotePort: 4000, codec: 'PCMU', payloadType: 0, ptime: 20, symmetric: true });
    await talk(a, b, 120);
    const [sa, sb] = [await a.session.close(), await b.session.close()];
    expect(latched).toEqual([{ address: '127.0.0.1', port: a.endpoint.rtpPort }]);
    expect(sb.remote).toBe(`127.0.0.1:${a.endpoint.rtpPort}`);
    expect(sa.packetsReceived).toBeGreaterThanOrEqual(120);
    expect(coverage(a.record, 1500, 1000)).toBeGreaterThanOrEqual(0.9);
  });

  it('does not latch onto another port when the SDP address is public (issue 9: strict)', async () => {
    const blackHole = createSocket('udp4');
    let blackHoleGot = 0;
    blackHole.on('message', () => blackHoleGot++);
    await new Promise<void>((r) => blackHole.bind(0, '127.0.0.1', r));
    const wrongPort = blackHole.address().port;
    const a = await peer('sa', toneA);
    const b = await peer('sb', toneB);
    const latched: { address: string; port: number }[] = [];
    b.session.on('latched', (l) => latched.push(l));
    await a.session.start({ remoteAddress: '127.0.0.1', remotePort: b.endpoint.rtpPort, codec: 'PCMU', payloadType: 0, ptime: 20 });
    await b.session.start({ remoteAddress: '127.0.0.1', remotePort: wrongPort, codec: 'PCMU', payloadType: 0, ptime: 20, symmetric: true });
    await waitFor('packets from a', async () => ((await b.session.stats()).discarded ?? 0) >= 50);
    const [, sb] = [await a.session.close(), await b.session.close()];
    blackHole.close();
    expect(latched).toEqual([]);
    expect(sb.remote).toBe(`127.0.0.1:${wrongPort}`);
    expect(sb.packetsReceived).toBe(0);
    expect(blackHoleGot).toBeGreaterThan(0);
  });

  it('reports a worker crash to every session and still resolves close() with the last stats', async () => {
    const open = async () => {
      // The worker path by name: the native engine (the default for such a call) has no worker to kill.
      const s = createWorkerMediaSession({ audio: { kind: 'null' }, ...ports });
      const errors: string[] = [];
      s.on('error', (e) => errors.push(e.message));
      return { s, e: await s.open(), errors };
    };
    const a = await open();
    const b = await open();
    await a.s.start({ remoteAddress: '127.0.0.1', remotePort: b.e.rtpPort, codec: 'PCMA', payloadType: 8, ptime: 20 });
    await b.s.start({ remoteAddress: '127.0.0.1', remotePort: a.e.rtpPort, codec: 'PCMA', payloadType: 8, ptime: 20 });
    await waitFor('packets flowing', async () => (await a.s.stats()).packetsReceived >= 10 && (await b.s.stats()).packetsReceived >= 10);
    const worker = mediaWorkerThreadForTests();
    expect(worker).not.toBeNull();
    await worker?.terminate();
    await waitFor('error events', () => a.errors.length > 0 && b.errors.length > 0, 5000);
    expect(a.errors[0]).toMatch(/media worker/);
    const [sa, sb] = await Promise.all([a.s.close(), b.s.close()]);
    expect(sa.packetsSent).toBeGreaterThanOrEqual(10);
    expect(sb.packetsReceived).toBeGreaterThanOrEqual(10);
    await expect(a.s.start({ remoteAddress: '127.0.0.1', remotePort: 9, codec: 'PCMA', payloadType: 8, ptime: 20 })).rejects.toThrow();
    // A new session gets a fresh worker.
    const c = await open();
    expect(c.e.rtpPort).toBeGreaterThan(0);
    expect((await c.s.close()).packetsSent).toBe(0);
  });
});
