// The bench's callers, each making the same call to the same kind of callee: baresip, our
// `softphone call` left idle, our `softphone call` with its main loop blocked by block-loop.cjs, and our
// call on the worker media engine (issue 12: the native engine is the default where the addon loads).
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startBaresip, type Baresip } from '../support/baresip';
import { startSoftphone, type SoftphoneProcess } from '../support/softphone-process';
import { freePortRange, freeUdpPort } from '../support/free-port';
import type { KamailioServer } from '../support/kamailio';
import { findPidByArgv, sampleProcess, ticksPerSecond, type ProcSample } from './proc-stats';

export const BLOCK_LOOP = resolve(__dirname, 'block-loop.cjs');

export interface BenchSetup {
  server: KamailioServer;
  codec: 'PCMU' | 'PCMA';
  /** What every caller plays (1 kHz) and what the callee plays back (1.5 kHz). */
  callerWav: string;
  calleeWav: string;
  seconds: number;
  blockMs: number;
  blockEveryMs: number;
  dir: string;
}

/** What the caller process did between "connected" and our hang-up, per /proc. */
export interface CallerSamples {
  pid: number;
  sipPort: number;
  connect: ProcSample;
  hangup: ProcSample;
  /** CPU seconds the injected busy-wait burnt in that window (blocked run only). */
  busyWaitSeconds?: number;
  /** The same from process start to the hang-up sample. */
  busyWaitTotalSeconds?: number;
  spins?: number;
  /** Caller's own recording of the callee (WAV), if it made one. */
  recording?: string;
  /** Extra facts for the JSON (our CLI's ended event, exit code). */
  extra: Record<string, unknown>;
}

/** Keeps track of what to stop when the bench ends, fails or is interrupted. */
export class Cleanup {
  private readonly tasks: (() => Promise<void>)[] = [];
  add(task: () => Promise<void>): () => Promise<void> {
    let done = false;
    const once = async () => {
      if (done) return;
      done = true;
      await task();
    };
    this.tasks.push(once);
    return once;
  }
  async runAll(): Promise<void> {
    for (const t of this.tasks.splice(0).reverse()) await t().catch(() => undefined);
  }
}

/** Resolves `ms` from now (the call's length: the one wait that is a duration, not an event). */
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until a WAV's RIFF size matches its length, i.e. its writer has closed it (bounded). */
export async function finishedWav(path: string | undefined, timeoutMs = 5000): Promise<string | undefined> {
  if (!path) return undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const head = readFileSync(path).subarray(0, 8);
      if (head.toString('ascii', 0, 4) === 'RIFF' && head.readUInt32LE(4) === statSync(path).size - 8) return path;
    } catch {
      // Not there yet.
    }
    if (Date.now() > deadline) return path;
    await delay(50);
  }
}

/** The RTP port range the harness gave a baresip (its config file): the capture filter needs it. */
export function baresipRtpRange(b: Baresip): { min: number; max: number } | null {
  const cfg = join(b.dir, 'config');
  const m = existsSync(cfg) ? /^rtp_ports\s+(\d+)-(\d+)/m.exec(readFileSync(cfg, 'utf8')) : null;
  return m?.[1] && m[2] ? { min: Number(m[1]), max: Number(m[2]) } : null;
}

/**
 * A baresip registered to the server as `user` with digest auth: the harness' own account has no
 * registration, so a second user agent is added over ctrl_tcp (menu "uanew") and the first removed.
 */
export async function startRegisteredBaresip(
  setup: BenchSetup,
  cleanup: Cleanup,
  user: string,
  role: 'caller' | 'callee',
): Promise<Baresip> {
  const playWav = role === 'caller' ? setup.callerWav : setup.calleeWav;
  const answermode = role === 'callee' ? 'auto' : 'manual';
  const b = await startBaresip({ codec: setup.codec, playWav, answerMode: answermode });
  cleanup.add(() => b.stop());
  const password = setup.server.users[user];
  if (password === undefined) throw new Error(`bench: no password for ${user}`);
  const aor = `sip:${user}@${setup.server.domain}`;
  await b.command('uanew', `<${aor}>;auth_pass=${password};regint=600;audio_codecs=${setup.codec};answermode=${answermode}`);
  await b.waitForEvent('REGISTER_OK', 10_000);
  await b.command('uadel', b.uri);
  return b;
}

/** Reads block-loop.cjs' report: "<spinning> <ticks> <spins>". */
function readBlockReport(path: string): { spinning: boolean; ticks: number; spins: number } | null {
  try {
    const [spinning, ticks, spins] = readFileSync(path, 'utf8').trim().split(/\s+/).map(Number);
    if (ticks === undefined || spins === undefined || !Number.isFinite(ticks)) return null;
    return { spinning: spinning === 1, ticks, spins };
  } catch {
    return null;
  }
}

/**
 * A /proc sample taken between two busy-waits, so the spin's CPU can be taken out exactly: if a spin
 * is running (or starts while we read), wait for it to end and read again.
 */
export async function sampleOutsideSpin(pid: number, report: string): Promise<{ sample: ProcSample; busyTicks: number; spins: number }> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const before = readBlockReport(report);
    if (before && !before.spinning) {
      const sample = sampleProcess(pid);
      const after = readBlockReport(report);
      if (after && !after.spinning && after.spins === before.spins) return { sample, busyTicks: before.ticks, spins: before.spins };
    }
    if (Date.now() > deadline) throw new Error('bench: block-loop report unreadable or always spinning');
    await delay(10);
  }
}

/** Caller (1): baresip dials bob through the server; we hang up over ctrl_tcp. */
export async function runBaresipCaller(setup: BenchSetup, cleanup: Cleanup): Promise<CallerSamples> {
  const b = await startRegisteredBaresip(setup, cleanup, 'alice', 'caller');
  const pid = findPidByArgv(['baresip', '-f', b.dir]);
  if (pid === null) throw new Error('bench: cannot find the baresip caller process');
  process.stderr.write(`bench: baresip: caller pid ${pid}\n`);
  await b.dial(`sip:bob@${setup.server.domain}`);
  await b.waitForEvent('CALL_ESTABLISHED', 20_000);
  const connect = sampleProcess(pid);
  await delay(setup.seconds * 1000);
  const hangup = sampleProcess(pid);
  await b.hangup();
  await b.waitForEvent('CALL_CLOSED', 10_000);
  // The harness removes its folder on stop: keep a copy of what the caller heard.
  const heard = await finishedWav(b.recordings().decoded);
  const recording = heard ? join(setup.dir, 'baresip-heard.wav') : undefined;
  if (heard && recording) copyFileSync(heard, recording);
  const closed = b.events.find((e) => e.type === 'CALL_CLOSED');
  // Stopping here (not at the end of the bench) frees the CPU for the next run.
  await b.stop();
  return { pid, sipPort: b.sipPort, connect, hangup, recording, extra: { closed: closed?.param } };
}

/** Callers (2) and (3): our CLI, optionally with block-loop.cjs preloaded; SIGTERM hangs up. */
export async function runSoftphoneCaller(setup: BenchSetup, cleanup: Cleanup, kind: 'idle' | 'blocked' | 'worker'): Promise<CallerSamples> {
  const sipPort = await freeUdpPort();
  const rtp = await freePortRange(10);
  const recording = join(setup.dir, `softphone-${kind}-heard.wav`);
  const report = join(setup.dir, `block-${kind}.txt`);
  const env: NodeJS.ProcessEnv = { SOFTPHONE_PASSWORD: setup.server.users['alice'] ?? '' };
  // softphone-process.ts runs `node bin/softphone.js`; NODE_OPTIONS="--require X" is the same as
  // `node --require X bin/softphone.js`, and leaves the product itself untouched. BENCH_NODE_OPTIONS
  // adds diagnostics to our runs only (e.g. --cpu-prof), not to the bench process.
  const nodeOptions = [process.env['NODE_OPTIONS'], process.env['BENCH_NODE_OPTIONS'], kind === 'blocked' ? `--require "${BLOCK_LOOP}"` : '']
    .filter((o) => o)
    .join(' ');
  if (nodeOptions) env['NODE_OPTIONS'] = nodeOptions;
  if (kind === 'blocked') {
    env['BENCH_BLOCK_MS'] = String(setup.blockMs);
    env['BENCH_BLOCK_EVERY_MS'] = String(setup.blockEveryMs);
    env['BENCH_BLOCK_REPORT'] = report;
  }
  const args = [
    'call', `sip:bob@${setup.server.domain}`, '--user', 'alice', '--domain', setup.server.domain,
    '--bind', '127.0.0.1', '--port', String(sipPort), '--rtp-ports', `${rtp.min}-${rtp.max}`,
    '--play', setup.callerWav, '--record', recording, '--ring-timeout', '20',
    // idle and blocked measure the native engine (issue 12); worker is the default media thread, for comparison.
    '--media-engine', kind === 'worker' ? 'worker' : 'native',
  ];
  const sp: SoftphoneProcess = startSoftphone(args, { env, name: `softphone-${kind}` });
  cleanup.add(() => sp.stop(5000));
  const pid = sp.pid;
  if (pid === undefined) throw new Error('bench: softphone did not start');
  // For attaching a profiler (perf record -p PID) while the call runs.
  process.stderr.write(`bench: ${kind}: softphone pid ${pid}\n`);
  try {
    await sp.waitFor('connected', () => true, 30_000);
    const sample = async () =>
      kind === 'blocked' ? await sampleOutsideSpin(pid, report) : { sample: sampleProcess(pid), busyTicks: 0, spins: 0 };
    const c = await sample();
    await delay(setup.seconds * 1000);
    const h = await sample();
    sp.signal('SIGTERM');
    const ended = await sp.waitFor('ended', () => true, 10_000);
    const exitCode = await sp.waitForExit(15_000);
    if (kind === 'blocked' && h.spins - c.spins < 1) throw new Error('bench: block-loop.cjs never blocked the main loop');
    return {
      pid,
      sipPort,
      connect: c.sample,
      hangup: h.sample,
      ...(kind === 'blocked' ? {
            busyWaitSeconds: (h.busyTicks - c.busyTicks) / ticksPerSecond(),
            busyWaitTotalSeconds: h.busyTicks / ticksPerSecond(),
            spins: h.spins - c.spins,
          } : {}),
      recording,
      extra: { exitCode, ended, strayStdout: sp.strayLines.slice(0, 5) },
    };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${sp.describe().slice(-4000)}`);
  }
}
