// `npm run bench:jitter` (issue 13): the receive jitter buffer's added delay and the segmental SNR of a
// voiced multi-tone on a clean path and on a 30 ms jitter + 5 % loss path, with the old whole-frame
// adaptation ('frame') and with time-stretching ('stretch'): over real UDP through the userspace relay
// (two media sessions in their worker thread, real time) and in the fake-clock simulation (exact and
// repeatable). Prints a markdown table and the machine load. Not part of the test suite.
import { cpus, loadavg } from 'node:os';
import { voicedMultiTone } from '../support/aligned-snr';
import { sendThroughPath } from '../support/jitter-path';
import { simulatePath } from '../support/jitter-sim';
import { tempDir } from '../support/media-helpers';
import type { RtpStats } from '../../src-main/rtp/media-session';

interface Row {
  path: string;
  run: string;
  mode: string;
  stats: RtpStats;
  snrAll: number;
  snrLost: number;
  dropped: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const load = (): string => loadavg().map((x) => x.toFixed(2)).join(', ');

async function main(): Promise<void> {
  const seconds = Number(arg('seconds', '4'));
  const runs = arg('runs', 'udp,sim').split(',');
  if (!(seconds >= 2 && seconds <= 60) || runs.some((r) => r !== 'udp' && r !== 'sim')) {
    console.error('usage: npm run bench:jitter -- [--seconds 2-60] [--runs udp,sim]');
    process.exit(2);
  }
  console.log(`# jitter buffer bench: ${seconds} s of a voiced multi-tone (118 Hz harmonics), PCMU, 20 ms`);
  console.log(`machine: ${cpus().length} CPUs, load average at start ${load()}`);
  const signal = voicedMultiTone(seconds);
  const paths = [
    { path: 'clean', lossRate: 0, maxJitterMs: 0 },
    { path: '30 ms jitter, 5 % loss', lossRate: 0.05, maxJitterMs: 30 },
  ];
  const rows: Row[] = [];
  const tmp = tempDir('jitter-bench');
  try {
    for (const p of paths) {
      for (const mode of ['frame', 'stretch'] as const) {
        if (runs.includes('sim')) {
          const r = simulatePath({ signal, adapt: mode, lossRate: p.lossRate, maxJitterMs: p.maxJitterMs, seed: 777 });
          rows.push({ path: p.path, run: 'fake clock', mode, stats: r.stats, snrAll: r.snrAll, snrLost: r.snrLost, dropped: r.dropped.length });
        }
        if (runs.includes('udp')) {
          const r = await sendThroughPath({ dir: tmp.dir, name: `${mode}-${p.maxJitterMs}`, signal, adapt: mode, lossRate: p.lossRate, maxJitterMs: p.maxJitterMs, seed: 777 });
          rows.push({ path: p.path, run: 'UDP relay', mode, stats: r.stats, snrAll: r.snrAll, snrLost: r.snrLost, dropped: r.dropped.length });
        }
      }
    }
  } finally {
    tmp.remove();
  }
  const f = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(1));
  console.log('');
  console.log('| path | run | mode | target ms | mean delay ms | grown / shrunk ms | concealed ms | late | dropped | segSNR all dB | segSNR lost dB |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const j = r.stats.jitterBuffer;
    console.log(`| ${r.path} | ${r.run} | ${r.mode} | ${f(j?.targetMs)} | ${f(j?.meanDelayMs)} | ${f(j?.grownMs)} / ${f(j?.shrunkMs)} | ${r.stats.concealedMs ?? '-'} | ${r.stats.late} | ${r.dropped} | ${f(r.snrAll)} | ${f(r.snrLost)} |`);
  }
  console.log('');
  console.log('mean delay: how long after the fastest packet of the last 3 s each frame was played (buffer + the');
  console.log('decoded residue; a tick phase of up to 20 ms included). segSNR: every 20 ms at its local alignment.');
  console.log(`load average at end ${load()}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
