// Issue 13 through two real CLI processes over UDP: comfort noise (RFC 3389) and RTCP XR VoIP metrics
// (RFC 3611), checked on the wire with tshark and in the callee's recording. Real-time audio: two 4 s
// calls at the same time (CN on, and CN off for the packet count), one capture.
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '../../src-main/audio/wav';
import { generateTone, toneCoverage } from '../../src-main/audio/tone-analysis';
import { ComfortNoiseGenerator } from '../../src-main/rtp/comfort-noise-generator';
import { dbov } from '../../src-main/rtp/comfort-noise';
import { parseRtp } from '../../src-main/rtp/rtp-packet';
import type { RtpStats } from '../../src-main/rtp/media-session';
import type { VoipMetricsView } from '../../src-main/rtp/xr-voip-metrics';
import { startCapture, type Capture } from '../support/capture';
import { readUdpPayloads, rtpPackets } from '../support/srtp-capture';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone, stopAllSoftphones, type SoftphoneEvent } from '../support/softphone-process';
import { makeTempDir, readWavMono, removeDir, toneReport } from '../support/audio-check';
import { printOnFailure } from '../support/on-failure';
import { skipWithoutRealPeer } from '../support/real-peer-gate';

const run = promisify(execFile);

function missing(): string | null {
  try {
    execFileSync('which', ['tshark'], { stdio: 'ignore' });
    return null;
  } catch {
    return 'tshark is not installed';
  }
}
const skip = skipWithoutRealPeer('comfort noise / RTCP XR capture', missing());

/** The caller's microphone: 1.5 s of a 1 kHz tone, then "silence": room noise at -60 dBov. */
const TONE_S = 1.5;
const NOISE_LEVEL = 60;
const CALL_S = 4;

let dir: string;
let wav: string;
let capture: Capture | undefined;

beforeAll(() => {
  dir = makeTempDir('cn-xr-');
  const tone = generateTone(1000, TONE_S, 8000, 0.3);
  const noise = new Int16Array(8000 * 6);
  const g = new ComfortNoiseGenerator(77);
  g.set({ level: NOISE_LEVEL, coefficients: [] });
  g.fill(noise);
  const all = new Int16Array(tone.length + noise.length);
  all.set(tone);
  all.set(noise, tone.length);
  wav = join(dir, 'tone-then-silence.wav');
  writeFileSync(wav, encodeWav(all, 8000));
});
afterEach(async () => {
  await stopAllSoftphones();
  await capture?.stop();
  capture = undefined;
});
afterAll(() => removeDir(dir));

interface CallResult {
  endedA: SoftphoneEvent;
  endedB: SoftphoneEvent;
  /** RTP datagrams from the caller to the callee, as captured. */
  aToB: Buffer[];
  inA: (port: number) => boolean;
  recording: string;
}

interface CallPorts {
  rtpA: { min: number; max: number };
  rtpB: { min: number; max: number };
}

async function ports(): Promise<CallPorts> {
  return { rtpA: await freePortRange(10), rtpB: await freePortRange(10) };
}

const portFilter = (p: CallPorts) => `portrange ${p.rtpA.min}-${p.rtpA.max} or portrange ${p.rtpB.min}-${p.rtpB.max}`;

async function callWith(cn: 'on' | 'off', label: string, { rtpA, rtpB }: CallPorts): Promise<Omit<CallResult, 'aToB'> & { inB: (port: number) => boolean }> {
  const port = await freeUdpPort();
  const inA = (p: number) => p >= rtpA.min && p <= rtpA.max;
  const inB = (p: number) => p >= rtpB.min && p <= rtpB.max;
  const recording = join(dir, `${label}-b.wav`);
  const b = startSoftphone(
    ['listen', '--port', String(port), '--bind', '127.0.0.1', '--rtp-ports', `${rtpB.min}-${rtpB.max}`, '--auto-answer', '--record', recording,
      '--max-calls', '1', '--comfort-noise', 'on'],
    { name: `${label}-B` },
  );
  printOnFailure(b);
  await b.waitFor('listening');
  const a = startSoftphone(
    ['call', `sip:x@127.0.0.1:${port}`, '--bind', '127.0.0.1', '--rtp-ports', `${rtpA.min}-${rtpA.max}`, '--play', wav, '--duration', String(CALL_S),
      '--comfort-noise', cn],
    { name: `${label}-A` },
  );
  printOnFailure(a);
  const endedA = await a.waitFor('ended', undefined, 20_000);
  const endedB = await b.waitFor('ended', undefined, 8000);
  expect(await a.waitForExit(8000)).toBe(0);
  expect(await b.waitForExit(8000)).toBe(0);
  return { endedA, endedB, inA, inB, recording };
}

/** The XR VoIP Metrics blocks in the capture as tshark decodes them, with the port that sent each. */
async function xrBlocks(file: string): Promise<Array<{ srcPort: number; view: Partial<VoipMetricsView> & { gmin: number } }>> {
  const fields = ['udp.srcport', 'rtcp.ssrc.fraction', 'rtcp.ssrc.discarded', 'rtcp.xr.voipmetrics.rtdelay', 'rtcp.xr.voipmetrics.esdelay', 'rtcp.xr.voipmetrics.gmin',
    'rtcp.xr.voipmetrics.rfactor', 'rtcp.xr.voipmetrics.moslq', 'rtcp.xr.voipmetrics.moscq', 'rtcp.xr.voipmetrics.jbnominal', 'rtcp.xr.voipmetrics.jbabsmax'];
  const { stdout } = await run('tshark', ['-r', file, '-Y', 'rtcp.xr.bt == 7', '-T', 'fields', '-E', 'separator=\t', ...fields.flatMap((f) => ['-e', f])], { maxBuffer: 64 * 1024 * 1024 });
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const v = line.split('\t');
      // An RR block (if any) comes first in the fraction/discarded columns: the XR block's values are last.
      const last = (i: number) => Number((v[i] ?? '').split(',').pop());
      return {
        srcPort: Number(v[0]),
        view: {
          lossPercent: Math.round((last(1) / 256) * 1000) / 10,
          discardPercent: Math.round((last(2) / 256) * 1000) / 10,
          roundTripMs: last(3),
          endSystemDelayMs: last(4),
          gmin: last(5),
          r: last(6),
          mosLq: last(7),
          mosCq: last(8),
          jbNominalMs: last(9),
          jbAbsMaxMs: last(10),
        },
      };
    });
}

const pick = (v: Partial<VoipMetricsView> | undefined) =>
  v && { lossPercent: v.lossPercent, discardPercent: v.discardPercent, roundTripMs: v.roundTripMs, endSystemDelayMs: v.endSystemDelayMs, gmin: v.gmin, r: v.r, mosLq: v.mosLq, mosCq: v.mosCq, jbNominalMs: v.jbNominalMs, jbAbsMaxMs: v.jbAbsMaxMs };

describe.skipIf(skip)('comfort noise and RTCP XR between two softphones (tshark)', () => {
  it('sends CN during silence, the callee plays noise at its level, and both exchange XR VoIP metrics', async () => {
    const onPorts = await ports();
    const offPorts = await ports();
    capture = await startCapture(`udp and (${portFilter(onPorts)} or ${portFilter(offPorts)})`);
    const [onCall, offCall] = await Promise.all([callWith('on', 'cn-on', onPorts), callWith('off', 'cn-off', offPorts)]);
    const file = await capture.stop();
    capture = undefined;
    const wire = await readUdpPayloads(file);
    const on: CallResult = { ...onCall, aToB: rtpPackets(wire, onCall.inA, onCall.inB) };
    const off: CallResult = { ...offCall, aToB: rtpPackets(wire, offCall.inA, offCall.inB) };

    // The wire: PT 13 packets during the silence, and far fewer RTP packets than the same call without CN.
    const cnPackets = on.aToB.map((p) => parseRtp(p)).filter((p) => p?.payloadType === 13);
    const levels = cnPackets.map((p) => (p?.payload[0] ?? 0) & 0x7f);
    console.log(`RTP caller->callee: CN on ${on.aToB.length} packets (${cnPackets.length} CN, levels ${levels.join(',')}), CN off ${off.aToB.length}`);
    expect(cnPackets.length).toBeGreaterThanOrEqual(2);
    for (const l of levels) expect(Math.abs(l - NOISE_LEVEL)).toBeLessThanOrEqual(2);
    expect(off.aToB.every((p) => parseRtp(p)?.payloadType === 0)).toBe(true);
    expect(on.aToB.length).toBeLessThan(off.aToB.length / 2);
    const rtpOn = on.endedA['rtp'] as RtpStats;
    expect(rtpOn.comfortNoise?.sent).toBe(cnPackets.length);

    // The callee's recording: the tone (by frequency), then noise near the signalled level, not digital zero.
    const rec = readWavMono(on.recording).samples;
    const onset = toneReport(on.recording, 1000).onsetSeconds;
    expect(onset).not.toBeNull();
    const at = (s: number) => Math.round(((onset as number) + s) * 8000);
    expect(toneCoverage(rec.subarray(at(0.2), at(TONE_S - 0.2)), 8000, 1000)).toBeGreaterThan(0.9);
    const silence = rec.subarray(at(TONE_S + 0.4), Math.min(rec.length, at(CALL_S - 0.6)));
    expect(silence.length).toBeGreaterThanOrEqual(8000);
    const heard = dbov(silence);
    console.log(`callee heard ${heard.toFixed(1)} dBov during the silence (signalled -${NOISE_LEVEL} dBov)`);
    expect(Math.abs(heard + NOISE_LEVEL)).toBeLessThanOrEqual(3);
    const rtpB = on.endedB['rtp'] as RtpStats;
    expect(rtpB.comfortNoise?.received).toBeGreaterThanOrEqual(2);
    // Comfort noise is neither loss nor concealment: ~3 s of it would show as ~3000 ms.
    expect(rtpB.packetsLost).toBe(0);
    expect(rtpB.concealedMs ?? 0).toBeLessThan(400);

    // XR: tshark decodes our VoIP Metrics blocks; the caller's last one (in its BYE compound) is the one its
    // stats say it sent, and each side's view of the other is one the other sent.
    const blocks = (await xrBlocks(file)).filter((b) => on.inA(b.srcPort) || onCall.inB(b.srcPort));
    const fromA = blocks.filter((b) => on.inA(b.srcPort));
    const fromB = blocks.filter((b) => onCall.inB(b.srcPort));
    console.log(`XR blocks: ${fromA.length} from the caller, ${fromB.length} from the callee; caller's last ${JSON.stringify(fromA.at(-1)?.view)}`);
    expect(fromA.length).toBeGreaterThanOrEqual(1);
    expect(fromB.length).toBeGreaterThanOrEqual(1);
    for (const b of blocks) expect(b.view.gmin).toBe(16);
    // What the caller's stats say it sent last is its BYE compound's block; the capture can stop before
    // that datagram is written (seen in CI: only the first block, sent before any round trip was known,
    // R "unavailable" = 127). So that block is checked for sense here, and tshark's decoding against
    // ours through what each side received (below).
    const sentLast = pick(rtpOn.xr?.sent);
    expect(sentLast?.gmin).toBe(16);
    expect(sentLast?.r).toBeGreaterThan(60);
    const peerOfA = (on.endedA['quality'] as { peer?: VoipMetricsView }).peer;
    const peerOfB = (on.endedB['quality'] as { peer?: VoipMetricsView }).peer;
    expect(peerOfA, 'the caller reports the callee\'s XR').toBeDefined();
    expect(peerOfB, 'the callee reports the caller\'s XR').toBeDefined();
    // What one side received is a block the other sent: on the wire, or its last (BYE) block if the capture missed it.
    expect([...fromB.map((b) => pick(b.view)), pick(rtpB.xr?.sent)]).toContainEqual(pick(peerOfA));
    expect([...fromA.map((b) => pick(b.view)), sentLast]).toContainEqual(pick(peerOfB));
    expect(peerOfA?.r).toBeGreaterThan(60);
    expect(peerOfA?.mosCq).toBeGreaterThan(3);
  });
});
