// `npm run bench`: the same call made by baresip and by our headless core (idle, then with its main loop
// blocked), one after the other through one Kamailio, measured from /proc and a tshark capture.
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { TONE_A_HZ, TONE_B_HZ, makeTempDir, removeDir, toneReport, writeToneWav } from '../support/audio-check';
import { startCapture } from '../support/capture';
import { startKamailio } from '../support/kamailio';
import { stopAllSoftphones } from '../support/softphone-process';
import { BENCH_HELP, callerKinds, parseBenchArgs, type BenchArgs } from './bench-args';
import { analyseCapture } from './capture-analysis';
import {
  Cleanup, baresipRtpRange, finishedWav, runBaresipCaller, runSoftphoneCaller, startRegisteredBaresip, type BenchSetup, type CallerSamples,
} from './callers';
import { threadDeltas } from './proc-stats';
import { judge, renderTable, summarise, type CallerKind, type CpuResult, type RunResult } from './report';
import { runSides, sideReport, type SideRunsResult } from './side-runs';

const ROOT = resolve(__dirname, '../..');

const DEFINITIONS = {
  cpu: 'utime+stime of the caller process (all threads) from /proc/PID/stat, sampled when the call is connected and just before the bench hangs up, scaled to 60 s; for the blocked run the CPU that block-loop.cjs itself burnt (its thread time while spinning) is subtracted',
  totalCpu: 'utime+stime from process start to the hang-up sample (start-up, REGISTER, call; blocked run: busy-wait taken out)',
  memory: 'VmHWM (peak resident set) from /proc/PID/status just before hang-up, whole process incl. the media worker thread',
  setup: "capture time of the caller's first INVITE (the unauthenticated one) to the first RTP packet in either direction",
  interval: '|Δt − 20 ms| between consecutive RTP packets the caller sent, from tshark kernel timestamps on lo',
  audio: "share of 20 ms windows of the callee's recording (after 300 ms warm-up) dominated by the caller's 1 kHz tone",
};

function cpuResult(s: CallerSamples): CpuResult {
  const window = (s.hangup.at - s.connect.at) / 1000;
  const used = s.hangup.cpuSeconds - s.connect.cpuSeconds;
  const busy = s.busyWaitSeconds ?? null;
  const machineTotal = s.hangup.machine.total - s.connect.machine.total;
  return {
    windowSeconds: window,
    perMinute: (used / window) * 60,
    perMinuteProduct: ((used - (busy ?? 0)) / window) * 60,
    busyWaitSeconds: busy,
    totalToHangup: s.hangup.cpuSeconds - (s.busyWaitTotalSeconds ?? 0),
    machineBusyShare: machineTotal > 0 ? (s.hangup.machine.busy - s.connect.machine.busy) / machineTotal : 0,
    threads: threadDeltas(s.connect, s.hangup)
      .slice(0, 5)
      .map((t) => ({ ...t, main: t.tid === String(s.pid) })),
  };
}

const safeTone = (path: string | undefined, hz: number, otherHz: number) => {
  try {
    return path ? toneReport(path, hz, { otherHz }) : null;
  } catch {
    return null;
  }
};

/**
 * One caller's call: a fresh callee and capture, the call, then the numbers. Never throws. `load`
 * (side-runs.ts' CPU burners) starts once the capture runs and is stopped when the call has ended.
 */
async function runOne(kind: CallerKind, setup: BenchSetup, cleanup: Cleanup, load?: () => Promise<() => Promise<void>>): Promise<RunResult> {
  const rc = new Cleanup();
  const release = cleanup.add(() => rc.runAll());
  try {
    const callee = await startRegisteredBaresip(setup, rc, 'bob', 'callee');
    const range = baresipRtpRange(callee);
    // Only this call's packets: everything through the server, and all media to/from the callee.
    const filter = range ? `udp and (port ${setup.server.port} or portrange ${range.min}-${range.max})` : 'udp and host 127.0.0.1';
    const capture = await startCapture(filter);
    rc.add(async () => removeDir(dirname(capture.file)));
    const stopCapture = rc.add(async () => void (await capture.stop()));
    const stopLoad = load ? rc.add(await load()) : undefined;

    const samples = kind === 'baresip' ? await runBaresipCaller(setup, rc) : await runSoftphoneCaller(setup, rc, kind);
    await callee.waitForEvent('CALL_CLOSED', 10_000);
    await stopLoad?.();
    const calleeRecording = await finishedWav(callee.recordings().decoded);
    const calleeHears = safeTone(calleeRecording, TONE_A_HZ, TONE_B_HZ);
    const callerHears = safeTone(await finishedWav(samples.recording), TONE_B_HZ, TONE_A_HZ);
    await stopCapture();
    const wire = await analyseCapture(capture.file, { server: setup.server.port, callerSip: samples.sipPort, calleeSip: callee.sipPort });
    return {
      kind,
      cpu: cpuResult(samples),
      peakRssKb: samples.hangup.peakRssKb,
      wire,
      calleeHears,
      callerHears,
      extra: { pid: samples.pid, spins: samples.spins, threadCount: Object.keys(samples.hangup.threads).length, ...samples.extra },
    };
  } catch (err) {
    return { kind, error: (err as Error).message };
  } finally {
    await rc.runAll();
    await release();
  }
}

function version(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]?.trim() ?? null;
  } catch {
    return null;
  }
}

async function bench(args: BenchArgs): Promise<number> {
  for (const tool of ['kamailio', 'baresip', 'tshark']) {
    if (version('sh', ['-c', `command -v ${tool}`]) === null) throw new Error(`${tool} is not installed (apt-get install ${tool})`);
  }
  try {
    statSync(join(ROOT, 'dist', 'cli.js'));
  } catch {
    throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` (npm run bench does)');
  }

  const cleanup = new Cleanup();
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`bench: ${sig}, cleaning up\n`);
    void cleanup.runAll().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const runs: RunResult[] = [];
  let sides: SideRunsResult = { rows: [], callerBurn: [], answer: [] };
  const loadBefore = loadavg();
  let serverDomain = '';
  try {
    const dir = makeTempDir('softphone-bench-');
    cleanup.add(async () => removeDir(dir));
    const server = await startKamailio();
    cleanup.add(() => server.stop());
    serverDomain = server.domain;
    const setup: BenchSetup = {
      server,
      codec: args.codec,
      // Longer than the call, so neither side runs out of tone.
      callerWav: writeToneWav(dir, TONE_A_HZ, args.seconds + 30),
      calleeWav: writeToneWav(dir, TONE_B_HZ, args.seconds + 30),
      seconds: args.seconds,
      blockMs: args.blockMs,
      blockEveryMs: args.blockEveryMs,
      dir,
    };
    for (const kind of callerKinds(args)) {
      process.stderr.write(`bench: ${kind}: ${args.seconds} s call…\n`);
      const r = await runOne(kind, setup, cleanup);
      process.stderr.write(r.error ? `bench: ${kind}: FAILED: ${r.error}\n` : `bench: ${kind}: done\n`);
      runs.push(r);
    }
    sides = await runSides({
      ...args, setup, cleanup, runCaller: (k, load) => runOne(k, setup, cleanup, load), log: (l) => process.stderr.write(`bench: ${l}\n`),
    });
  } finally {
    await stopAllSoftphones();
    await cleanup.runAll();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }

  const verdicts = judge(runs);
  const table = renderTable(runs, verdicts, args);
  const side = sideReport(runs, sides);
  const out = isAbsolute(args.out) ? args.out : join(ROOT, args.out);
  mkdirSync(dirname(out), { recursive: true });
  const json = {
    generatedAt: new Date().toISOString(),
    seconds: args.seconds,
    codec: args.codec,
    block: { ms: args.blockMs, everyMs: args.blockEveryMs },
    server: `kamailio (test/fixtures/kamailio/kamailio.cfg, digest auth) at ${serverDomain}`,
    callee: 'baresip 1.0.0, answermode=auto, registered as bob, a fresh one per run',
    machine: {
      node: process.version,
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? null,
      loadavgBefore: loadBefore,
      loadavgAfter: loadavg(),
      kamailio: version('kamailio', ['-v']),
      tshark: version('tshark', ['-v']),
    },
    definitions: DEFINITIONS,
    runs,
    verdicts,
    table,
    sides: { callerBurn: sides.callerBurn, answer: sides.answer, rows: side.rows, verdicts: side.verdicts, table: side.table },
  };
  writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);

  const lines = [
    `## softphone bench: ${args.seconds} s call, ${args.codec}, through Kamailio with digest auth; callee: baresip (auto-answer)`,
    '',
    ...(runs.length > 0 ? [table, ''] : []),
    `Setup = ${DEFINITIONS.setup}. CPU = ${DEFINITIONS.cpu}. Intervals: ${DEFINITIONS.interval}.`,
    `Load average before/after: ${loadBefore.map((l) => l.toFixed(2)).join(' ')} / ${loadavg().map((l) => l.toFixed(2)).join(' ')} (${cpus().length} CPUs; other processes skew CPU and timing).`,
    ...(runs.length > 0 ? summarise(runs, verdicts) : []),
    '',
    '## Side by side: our phone and baresip, calling and answering, idle / main loop blocked / 2 CPU burners',
    '',
    side.table,
    '',
    ...side.lines,
    `Raw numbers: ${out}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return runs.some((r) => r.error) || side.rows.some((r) => r.error) ? 1 : 0;
}

const parsed = parseBenchArgs(process.argv.slice(2));
if (!parsed.ok) {
  process.stderr.write(`bench: ${parsed.error}\n${BENCH_HELP}\n`);
  process.exitCode = 2;
} else if (parsed.args.help) {
  process.stdout.write(`${BENCH_HELP}\n`);
} else {
  bench(parsed.args).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`bench: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
