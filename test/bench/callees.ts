// The bench's answering-side runs: one fixed baresip caller (alice) calls bob, who is either our
// `softphone listen --auto-answer` or a baresip with answermode=auto; the callee process is measured.
import { copyFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { encodeWav } from '../../src-main/audio/wav';
import { generateTone } from '../../src-main/audio/tone-analysis';
import { TONE_A_HZ, TONE_B_HZ, TONE_RATE, readWavMono, removeDir, toneReport } from '../support/audio-check';
import { startCapture } from '../support/capture';
import { freePortRange, freeUdpPort } from '../support/free-port';
import { startSoftphone } from '../support/softphone-process';
import type { AnswerMetrics } from './answer-metrics';
import { startBurn } from './burn-load';
import { analyseAnswerCapture, readRtpPayloads } from './capture-analysis';
import { mouthToEar, onsetTone } from './mouth-to-ear';
import {
  BLOCK_LOOP, Cleanup, baresipRtpRange, finishedWav, sampleOutsideSpin, startRegisteredBaresip, type BenchSetup,
} from './callers';
import { findPidByArgv, sampleProcess, ticksPerSecond, type ProcSample } from './proc-stats';
import type { Condition, Impl, SideRun } from './side-table';

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

interface Callee {
  sipPort: number;
  rtpRange: { min: number; max: number } | null;
  /** Resolves with the connect sample once the callee reports the call up. */
  connected: () => Promise<{ sample: ProcSample; busyTicks: number }>;
  sample: () => Promise<{ sample: ProcSample; busyTicks: number }>;
  pid: number;
  recording: () => Promise<string | undefined>;
  ended: () => Promise<void>;
  /** RTP packets the callee says it sent (our `ended` event), to check the recording's anchor. */
  packetsSent?: () => number | undefined;
}

/** Our `softphone listen --auto-answer`, registered as bob, optionally with block-loop.cjs preloaded. */
async function startSoftphoneCallee(setup: BenchSetup, rc: Cleanup, condition: Condition): Promise<Callee> {
  const sipPort = await freeUdpPort();
  const rtp = await freePortRange(10);
  const recording = join(setup.dir, `softphone-callee-${condition}-heard.wav`);
  const report = join(setup.dir, `block-callee-${condition}.txt`);
  const blocked = condition === 'blocked';
  const env: NodeJS.ProcessEnv = { SOFTPHONE_PASSWORD: setup.server.users['bob'] ?? '' };
  const nodeOptions = [process.env['NODE_OPTIONS'], process.env['BENCH_NODE_OPTIONS'], blocked ? `--require "${BLOCK_LOOP}"` : '']
    .filter((o) => o)
    .join(' ');
  if (nodeOptions) env['NODE_OPTIONS'] = nodeOptions;
  if (blocked) {
    env['BENCH_BLOCK_MS'] = String(setup.blockMs);
    env['BENCH_BLOCK_EVERY_MS'] = String(setup.blockEveryMs);
    env['BENCH_BLOCK_REPORT'] = report;
  }
  const sp = startSoftphone(
    ['listen', '--media-engine', 'native', '--user', 'bob', '--domain', setup.server.domain, '--bind', '127.0.0.1', '--port', String(sipPort),
      '--rtp-ports', `${rtp.min}-${rtp.max}`, '--play', setup.calleeWav, '--record', recording, '--auto-answer', '--max-calls', '1'],
    { env, name: `softphone-callee-${condition}` },
  );
  rc.add(() => sp.stop(5000));
  const pid = sp.pid;
  if (pid === undefined) throw new Error('bench: softphone listen did not start');
  process.stderr.write(`bench: answer ${condition}: softphone callee pid ${pid}\n`);
  const sample = async () => (blocked ? await sampleOutsideSpin(pid, report) : { sample: sampleProcess(pid), busyTicks: 0 });
  const wrap = async <T>(p: Promise<T>): Promise<T> => {
    try {
      return await p;
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${sp.describe().slice(-4000)}`);
    }
  };
  await wrap(sp.waitFor('registered', () => true, 20_000));
  return {
    sipPort,
    rtpRange: rtp,
    pid,
    connected: async () => {
      await wrap(sp.waitFor('connected', () => true, 30_000));
      return sample();
    },
    sample,
    recording: () => finishedWav(recording),
    packetsSent: () => (sp.all('ended')[0]?.['rtp'] as { packetsSent?: number } | undefined)?.packetsSent,
    ended: async () => {
      await wrap(sp.waitFor('ended', () => true, 10_000));
      await sp.waitForExit(15_000).catch(() => undefined);
    },
  };
}

/** A baresip registered as bob with answermode=auto (the reference callee). */
async function startBaresipCallee(setup: BenchSetup, rc: Cleanup): Promise<Callee> {
  const b = await startRegisteredBaresip(setup, rc, 'bob', 'callee');
  const pid = findPidByArgv(['baresip', '-f', b.dir]);
  if (pid === null) throw new Error('bench: cannot find the baresip callee process');
  const sample = async () => ({ sample: sampleProcess(pid), busyTicks: 0 });
  return {
    sipPort: b.sipPort,
    rtpRange: baresipRtpRange(b),
    pid,
    connected: async () => {
      await b.waitForEvent('CALL_ESTABLISHED', 30_000);
      return sample();
    },
    sample,
    recording: async () => {
      // The harness removes its folder on stop: keep a copy of what the callee heard.
      const heard = await finishedWav(b.recordings().decoded);
      if (!heard) return undefined;
      const copy = join(setup.dir, `baresip-callee-${Date.now()}-heard.wav`);
      copyFileSync(heard, copy);
      return copy;
    },
    ended: async () => void (await b.waitForEvent('CALL_CLOSED', 10_000)),
  };
}

const coverage = (path: string | undefined, hz: number, otherHz: number) => {
  try {
    return path ? toneReport(path, hz, { otherHz }).coverage : null;
  } catch {
    return null;
  }
};

/**
 * The answering runs' caller WAV: 1 s of digital silence, then the 1 kHz tone, so the tone has an
 * onset to time from the caller's RTP to the callee's recording (mouth-to-ear).
 */
export function writeOnsetWav(setup: BenchSetup): string {
  const path = join(setup.dir, `tone-${TONE_A_HZ}hz-onset.wav`);
  writeFileSync(path, encodeWav(onsetTone(generateTone(TONE_A_HZ, setup.seconds + 30, TONE_RATE, 0.5), 1), TONE_RATE));
  return path;
}

/** Our callee's mouth-to-ear (see mouth-to-ear.ts for the anchor); baresip's recording has none. */
async function measureMouthToEar(
  impl: Impl, setup: BenchSetup, capture: string, wire: AnswerMetrics, calleeSendTimes: number[], recording: string | undefined,
  packetsSent: number | undefined,
): Promise<{ ms: number | null; uncertaintyMs?: number; note: string }> {
  if (impl === 'baresip') {
    return { ms: null, note: "baresip's sndfile writes decoded audio as packets are received (no player, no clock): its recording has no time anchor" };
  }
  if (!recording) return { ms: null, note: 'no recording' };
  const callerPackets = await readRtpPayloads(capture, wire.callerMediaPort, wire.calleeMediaPort);
  const r = mouthToEar({ callerPackets, codec: setup.codec, calleeSendTimes, recording: readWavMono(recording).samples });
  const own = packetsSent === undefined ? '' : ` (${packetsSent} by its own count)`;
  return 'error' in r ? { ms: null, note: `${r.error}${own}` } : { ms: r.ms, uncertaintyMs: r.uncertaintyMs, note: `recording ${r.recordingFrames} frames, ${r.calleePackets} packets sent on the wire${own}` };
}

/** One answering-side run: fresh callee, caller and capture; never throws (errors go in the result). */
export async function runAnswerOne(
  impl: Impl, condition: Condition, setup: BenchSetup, cleanup: Cleanup,
): Promise<{ run: SideRun; wire?: AnswerMetrics; mouthToEarNote?: string }> {
  const rc = new Cleanup();
  const release = cleanup.add(() => rc.runAll());
  try {
    const callee = impl === 'softphone' ? await startSoftphoneCallee(setup, rc, condition) : await startBaresipCallee(setup, rc);
    const caller = await startRegisteredBaresip(setup, rc, 'alice', 'caller');
    const callerRange = baresipRtpRange(caller);
    const ranges = [callee.rtpRange, callerRange].filter((r) => r !== null).map((r) => ` or portrange ${r.min}-${r.max}`).join('');
    const capture = await startCapture(`udp and (port ${setup.server.port}${ranges})`);
    rc.add(async () => removeDir(dirname(capture.file)));
    const stopCapture = rc.add(async () => void (await capture.stop()));
    // The burners run from before the INVITE to after the hang-up: setup is measured under load too.
    const burn = condition === 'burn' ? await startBurn(2) : null;
    const stopBurn = rc.add(async () => burn?.stop());

    await caller.dial(`sip:bob@${setup.server.domain}`);
    const c = await callee.connected();
    await delay(setup.seconds * 1000);
    const h = await callee.sample();
    await caller.hangup();
    await caller.waitForEvent('CALL_CLOSED', 10_000);
    await callee.ended();
    await stopBurn();
    const calleeHeard = await callee.recording();
    const callerHeard = await finishedWav(caller.recordings().decoded);
    const hears = coverage(calleeHeard, TONE_A_HZ, TONE_B_HZ);
    const peerHears = coverage(callerHeard, TONE_B_HZ, TONE_A_HZ);
    await stopCapture();
    const { wire, calleeSendTimes } = await analyseAnswerCapture(capture.file, { server: setup.server.port, calleeSip: callee.sipPort, callerSip: caller.sipPort });
    const m2e = await measureMouthToEar(impl, setup, capture.file, wire, calleeSendTimes, calleeHeard, callee.packetsSent?.());
    const window = (h.sample.at - c.sample.at) / 1000;
    const busyWait = (h.busyTicks - c.busyTicks) / ticksPerSecond();
    const used = h.sample.cpuSeconds - c.sample.cpuSeconds - busyWait;
    const machineTotal = h.sample.machine.total - c.sample.machine.total;
    const run: SideRun = {
      side: 'answer',
      condition,
      impl,
      cpuPerMinute: (used / window) * 60,
      peakRssKb: h.sample.peakRssKb,
      threads: Object.keys(h.sample.threads).length,
      tryingMs: wire.tryingMs,
      ringingMs: wire.ringingMs,
      okMs: wire.okMs,
      send: wire.sendDeviation,
      gapsOver30ms: wire.gapsOver30ms,
      peerHears,
      hears,
      mouthToEarMs: m2e.ms,
      mouthToEarUncertaintyMs: m2e.uncertaintyMs ?? null,
      machineBusyShare: machineTotal > 0 ? (h.sample.machine.busy - c.sample.machine.busy) / machineTotal : null,
    };
    return { run, wire, mouthToEarNote: m2e.note };
  } catch (err) {
    return { run: { side: 'answer', condition, impl, error: (err as Error).message } };
  } finally {
    await rc.runAll();
    await release();
  }
}
