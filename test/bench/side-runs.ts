// Runs the side-by-side part of the bench (issue 12.5): the calling side under CPU burners, and the
// answering side idle, blocked and burning, one run after the other, into the rows of side-table.ts.
import type { AnswerMetrics } from './answer-metrics';
import { startBurn } from './burn-load';
import { runAnswerOne, writeOnsetWav } from './callees';
import type { BenchSetup, Cleanup } from './callers';
import type { CallerKind, RunResult } from './report';
import {
  fromCallerRun, judgeSides, renderSideTable, summariseSides, type Condition, type Side, type SideRun, type SideVerdict,
} from './side-table';

export interface SideRunsResult {
  rows: SideRun[];
  /** Raw results for the JSON: the calling side under burn, the answering side's wire metrics. */
  callerBurn: RunResult[];
  answer: { run: SideRun; wire?: AnswerMetrics; mouthToEarNote?: string }[];
}

/** The calling-side runs already made (baresip and ours idle, ours blocked) in side-table terms. */
export function callerRows(runs: RunResult[]): SideRun[] {
  return runs.map((r) => fromCallerRun(r, r.kind === 'blocked' ? 'blocked' : 'idle'));
}

export async function runSides(opts: {
  sides: Side[];
  conditions: Condition[];
  setup: BenchSetup;
  cleanup: Cleanup;
  /** The existing calling-side run (run-bench.ts), made here under burn: it starts `load` once its capture runs. */
  runCaller: (kind: CallerKind, load: () => Promise<() => Promise<void>>) => Promise<RunResult>;
  log: (line: string) => void;
}): Promise<SideRunsResult> {
  const out: SideRunsResult = { rows: [], callerBurn: [], answer: [] };
  if (opts.sides.includes('call') && opts.conditions.includes('burn')) {
    for (const kind of ['baresip', 'idle'] as const) {
      opts.log(`call burn ${kind}: ${opts.setup.seconds} s call with 2 CPU burners…`);
      // Started after the capture: tshark alone took over 15 s to start next to two burners here.
      const r = await opts.runCaller(kind, async () => {
        const burn = await startBurn(2);
        return () => burn.stop();
      });
      opts.log(r.error ? `call burn ${kind}: FAILED: ${r.error}` : `call burn ${kind}: done`);
      out.callerBurn.push(r);
      out.rows.push(fromCallerRun(r, 'burn'));
    }
  }
  if (opts.sides.includes('answer')) {
    const setup = { ...opts.setup, callerWav: writeOnsetWav(opts.setup) };
    for (const condition of opts.conditions) {
      // baresip has no Node main loop to block: its idle run is the reference for "blocked".
      const impls = condition === 'blocked' ? (['softphone'] as const) : (['baresip', 'softphone'] as const);
      for (const impl of impls) {
        opts.log(`answer ${condition} ${impl}: ${opts.setup.seconds} s call…`);
        const r = await runAnswerOne(impl, condition, setup, opts.cleanup);
        opts.log(r.run.error ? `answer ${condition} ${impl}: FAILED: ${r.run.error}` : `answer ${condition} ${impl}: done`);
        out.answer.push(r);
        out.rows.push(r.run);
      }
    }
  }
  return out;
}

/** The side-by-side table, its verdicts and summary lines, from every run of this bench run. */
export function sideReport(callerRuns: RunResult[], sides: SideRunsResult): { rows: SideRun[]; verdicts: SideVerdict[]; table: string; lines: string[] } {
  const rows = [...callerRows(callerRuns), ...sides.rows];
  const verdicts = judgeSides(rows);
  return { rows, verdicts, table: renderSideTable(rows, verdicts), lines: summariseSides(rows, verdicts) };
}
