// The native media engine in this process over real loopback UDP (issue 12): a tone crosses from one
// call's microphone ring to the other's speaker ring, strangers are not played (the rtp-latch.ts rule),
// and RFC 4733 events and paced G.711 packets are what a plain receiver sees on the wire.
import { createSocket, type Socket } from 'node:dgram';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateTone } from '../../src-main/audio/tone-analysis';
import { loadNativeAddon, loadNativeMedia, type NativeMediaApi, type NativeStartParams, type NativeStats } from '../../src-main/native/native-addon.node';
import { freePortRange } from '../support/free-port';
import { TONE_A_HZ, describeReport, toneReportOf } from '../support/audio-check';
import { IN_CI } from '../support/real-peer-gate';

loadNativeAddon(join(__dirname, '..', '..', 'src-main', 'native'));
const load = loadNativeMedia();
const api: NativeMediaApi | null = load.api;
if (!api && IN_CI) throw new Error(`the native addon must load in CI: ${'error' in load ? load.error : ''}`);

const opened: number[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const id of opened.splice(0)) api?.mediaClose(id);
  for (const s of sockets.splice(0)) s.close();
});

function open(port: number, hasOutput: boolean): number {
  const r = api!.mediaOpen('127.0.0.1', port, hasOutput);
  if (!('id' in r)) throw new Error(r.message);
  opened.push(r.id);
  return r.id;
}

function params(remotePort: number, extra: Partial<NativeStartParams> = {}): NativeStartParams {
  return {
    remoteAddress: '127.0.0.1', remotePort, remoteRtcpPort: remotePort + 1, law: 0, payloadType: 0, receive: [{ payloadType: 0, law: 0 }],
    telephoneEventPayloadType: 101, ptime: 20, latchMode: 0, direction: 0, ssrc: 0x11223344, seq: 65530, timestamp: 1000, ...extra,
  };
}

/** Polls (bounded) until the condition holds; returns the last stats. */
async function until(id: number, ok: (s: NativeStats) => boolean, timeoutMs = 8000): Promise<NativeStats> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const s = api!.mediaStats(id);
    if (!s) throw new Error(`session ${id} gone`);
    if (ok(s) || Date.now() > end) return s;
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function udp(): Promise<Socket> {
  const s = createSocket('udp4');
  sockets.push(s);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

describe.skipIf(!api)('native media engine over loopback', () => {
  it('plays one call\'s microphone tone out of the other call\'s speaker, and drops a stranger\'s packets', async () => {
    const range = await freePortRange(8);
    const base = range.min % 2 === 0 ? range.min : range.min + 1;
    const a = open(base, false);
    const b = open(base + 2, true);
    const tone = generateTone(TONE_A_HZ, 1, 8000, 0.5);
    expect(api!.mediaWriteInput(a, tone)).toBe(8000);
    api!.mediaStart(b, params(base));
    api!.mediaStart(a, params(base + 2));

    // A stranger on another port of the same host: strict latching (public SDP address) ignores it.
    const stranger = await udp();
    const bogus = Buffer.alloc(172, 0x55);
    bogus[0] = 0x80;
    for (let i = 0; i < 5; i++) stranger.send(bogus, base + 2, '127.0.0.1');

    const heard: Int16Array[] = [];
    const frame = new Int16Array(160);
    const end = Date.now() + 8000;
    while (Date.now() < end && (api!.mediaStats(b)?.packetsReceived ?? 0) < 50) {
      while (api!.mediaReadOutput(b, frame) === 160) heard.push(frame.slice());
      await new Promise((r) => setTimeout(r, 20));
    }
    while (api!.mediaReadOutput(b, frame) === 160) heard.push(frame.slice());
    const sb = api!.mediaStats(b)!;
    expect(sb.packetsReceived).toBeGreaterThanOrEqual(50);
    expect(sb.discarded).toBe(5);
    expect(sb.remote).toBe(`127.0.0.1:${base}`);
    const pcm = new Int16Array(heard.length * 160);
    heard.forEach((f, i) => pcm.set(f, i * 160));
    const report = toneReportOf(pcm, 8000, TONE_A_HZ, { warmupMs: 100, tailMs: 0 });
    expect(report.coverage, describeReport('B heard', report)).toBeGreaterThanOrEqual(0.9);
    expect(report.measuredSeconds, describeReport('B heard', report)).toBeGreaterThan(0.5);
    // Sequence numbers wrapped (started at 65530) without counting losses.
    expect(sb.packetsLost).toBe(0);
    expect(api!.mediaStats(a)!.sendErrors).toBe(0);
  });

  it('sends paced G.711 and RFC 4733 events that a plain receiver can read', async () => {
    const range = await freePortRange(4);
    const base = range.min % 2 === 0 ? range.min : range.min + 1;
    const rx = await udp();
    const got: { at: bigint; data: Buffer }[] = [];
    rx.on('message', (data) => got.push({ at: process.hrtime.bigint(), data }));
    const id = open(base, false);
    api!.mediaStart(id, params(rx.address().port, { law: 1, payloadType: 8 }));
    await until(id, (s) => s.packetsSent >= 10);
    expect(api!.mediaDtmf(id, '5', 100)).toBe(true);
    await until(id, (s) => s.packetsSent >= 60);
    const final = api!.mediaClose(id)!;
    opened.splice(opened.indexOf(id), 1);
    await new Promise((r) => setTimeout(r, 50));

    const audio = got.filter((p) => (p.data[1]! & 0x7f) === 8);
    const events = got.filter((p) => (p.data[1]! & 0x7f) === 101);
    expect(audio.length).toBeGreaterThan(30);
    expect(audio.every((p) => p.data.length === 12 + 160 && p.data[0] === 0x80)).toBe(true);
    expect(audio[0]!.data[1]! & 0x80).toBe(0x80); // marker on the first packet (RFC 3550 §5.1)
    // RFC 4733 §2.5: one timestamp for the event, duration growing, E bit on the last three (the end, resent).
    expect(events.length).toBeGreaterThanOrEqual(5 + 2);
    expect(events.every((p) => p.data[12] === 5)).toBe(true);
    expect(new Set(events.map((p) => p.data.readUInt32BE(4))).size).toBe(1);
    expect(events[0]!.data[1]! & 0x80).toBe(0x80);
    const ends = events.filter((p) => (p.data[13]! & 0x80) !== 0);
    expect(ends.length).toBe(3);
    expect(ends.every((p) => p.data.readUInt16BE(14) === 800)).toBe(true);
    // Sequence numbers run on without a gap across audio and events.
    for (let i = 1; i < got.length; i++) expect(got[i]!.data.readUInt16BE(2)).toBe((got[i - 1]!.data.readUInt16BE(2) + 1) & 0xffff);
    expect(final.packetsSent).toBe(got.length);
    // Receiver-side pacing, reported (speed is the bench's business, not a pass/fail here).
    const dts = got.slice(1).map((p, i) => Math.abs(Number(p.at - got[i]!.at) / 1e6 - 20)).sort((x, y) => x - y);
    const p99 = dts[Math.min(dts.length - 1, Math.floor(dts.length * 0.99))]!;
    console.log(`native send interval at a JS receiver in the test process (its own loop delays included): |dt-20ms| p50 ${dts[Math.floor(dts.length / 2)]!.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms, max ${dts[dts.length - 1]!.toFixed(3)} ms; engine's own p99 interval ${final.sendIntervalP99Ms} ms`);
  });

  it('learns a NATed peer from 2 in-sequence packets, then locks onto it (learn mode of rtp-latch.ts)', async () => {
    const range = await freePortRange(4);
    const base = range.min % 2 === 0 ? range.min : range.min + 1;
    const id = open(base, false);
    const signalledPort = base + 2; // the SDP's (private, here simulated) port: nobody sends from it
    api!.mediaStart(id, params(signalledPort, { latchMode: 1 }));
    const peer = await udp();
    const other = await udp();
    const rtp = (seq: number, ssrc: number) => {
      const b = Buffer.alloc(172, 0xff);
      b[0] = 0x80;
      b[1] = 0;
      b.writeUInt16BE(seq, 2);
      b.writeUInt32BE(seq * 160, 4);
      b.writeUInt32BE(ssrc, 8);
      return b;
    };
    const send = (s: Socket, buf: Buffer) => new Promise<void>((r) => s.send(buf, base, '127.0.0.1', () => r()));
    await send(peer, rtp(1, 7));
    await until(id, (s) => s.discarded >= 1);
    await send(peer, rtp(2, 7)); // the second in sequence: latched
    const latched = await until(id, (s) => s.latchChanges === 1);
    expect(latched.remote).toBe(`127.0.0.1:${peer.address().port}`);
    expect(latched.packetsReceived).toBe(1);
    // Locked: another source, even in sequence, is dropped; the learned one still plays.
    await send(other, rtp(3, 9));
    await send(other, rtp(4, 9));
    await send(peer, rtp(3, 7));
    const after = await until(id, (s) => s.packetsReceived === 2 && s.discarded === 3);
    expect(after).toMatchObject({ packetsReceived: 2, discarded: 3, latchChanges: 1, remote: `127.0.0.1:${peer.address().port}` });
  });

  it('refuses a taken port with EADDRINUSE (the JS port search moves on)', async () => {
    const range = await freePortRange(4);
    const base = range.min % 2 === 0 ? range.min : range.min + 1;
    open(base, false);
    const again = api!.mediaOpen('127.0.0.1', base, false);
    expect(again).toMatchObject({ code: 'EADDRINUSE' });
  });
});
