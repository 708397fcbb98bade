// Runs one fuzz target for a time budget with fast-check: counts executions, collects crashes (shrunk,
// one per distinct error) and slow inputs (over slowMs, confirmed by re-running), without stopping at
// the first finding.
import fc from 'fast-check';
import { mutatedInputs } from './mutate';
import type { FuzzTarget } from './target';

export interface Finding {
  kind: 'crash' | 'slow';
  input: Uint8Array;
  /** Error name and message for a crash; the time for a slow input. */
  detail: string;
  /** Best of the confirming re-runs (slow inputs). */
  ms?: number;
}

export interface FuzzReport {
  target: string;
  seconds: number;
  executions: number;
  crashes: Finding[];
  slow: Finding[];
  /** Slowest single input seen (CPU ms, first run, so it includes GC pauses). */
  maxMs: number;
}

export interface RunOptions {
  seconds: number;
  seed: number;
  /** An input slower than this (best of 3 re-runs) is reported; 10 ms by default. */
  slowMs?: number;
  /** At most this many slow inputs are kept per target (the slowest). */
  maxSlow?: number;
}

/** Same error twice is one finding: name + message without numbers + the first product stack frame. */
export function errorSignature(err: unknown): string {
  if (!(err instanceof Error)) return `non-error:${String(err).slice(0, 80)}`;
  const frame = (err.stack ?? '').split('\n').find((l) => l.includes('src-main')) ?? '';
  return `${err.name}:${err.message.replace(/\d+/g, 'N').slice(0, 120)}@${frame.replace(/:\d+:\d+\)?$/, '').trim()}`;
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const frame = (err.stack ?? '').split('\n').find((l) => l.includes('src-main') || l.includes('node_modules/sip'));
  return `${err.name}: ${err.message}${frame ? ` (${frame.trim()})` : ''}`;
}

async function timed(target: FuzzTarget, input: Uint8Array): Promise<number> {
  const t0 = performance.now();
  await target.run(input);
  return performance.now() - t0;
}

/**
 * CPU time (user + system) of one run, not wall time: with 2 cores shared by many processes a wall
 * clock counts the time others ran, and every input would look slow now and then.
 */
function timedSync(target: FuzzTarget, input: Uint8Array): number {
  const before = process.cpuUsage();
  void target.run(input);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000;
}

export async function runTarget(target: FuzzTarget, options: RunOptions): Promise<FuzzReport> {
  const slowMs = options.slowMs ?? 10;
  const maxSlow = options.maxSlow ?? 5;
  const report: FuzzReport = { target: target.name, seconds: options.seconds, executions: 0, crashes: [], slow: [], maxMs: 0 };
  const known = new Set<string>();
  const arb = mutatedInputs({ seeds: target.seeds(), text: target.text, maxBytes: target.maxBytes });

  const noteSlow = (input: Uint8Array, ms: number, rerun: () => number): void => {
    report.maxMs = Math.max(report.maxMs, ms);
    if (ms <= slowMs) return;
    // A GC pause or another process can stall one run: it counts only if every re-run is slow too.
    const best = Math.min(rerun(), rerun(), rerun());
    if (best <= slowMs) return;
    report.slow.push({ kind: 'slow', input: input.slice(), detail: `${best.toFixed(1)} ms for ${input.length} bytes`, ms: best });
    report.slow.sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0));
    report.slow.length = Math.min(report.slow.length, maxSlow);
  };

  const skipKnown = (err: unknown): void => {
    if (known.has(errorSignature(err))) return;
    throw err;
  };

  if (target.setup) await target.setup();
  try {
    const deadline = Date.now() + options.seconds * 1000;
    let seed = options.seed;
    while (Date.now() < deadline) {
      const params = { seed, numRuns: 2 ** 31 - 1, interruptAfterTimeLimit: Math.max(1, deadline - Date.now()), markInterruptAsFailure: false };
      const result = target.async
        ? await fc.check(
            fc.asyncProperty(arb, async (input) => {
              report.executions++;
              try {
                const ms = await timed(target, input);
                report.maxMs = Math.max(report.maxMs, ms);
              } catch (err) {
                skipKnown(err);
              }
            }),
            params,
          )
        : fc.check(
            fc.property(arb, (input) => {
              report.executions++;
              try {
                const ms = timedSync(target, input);
                noteSlow(input, ms, () => timedSync(target, input));
              } catch (err) {
                skipKnown(err);
              }
            }),
            params,
          );
      if (!result.failed || result.counterexample === null) break;
      const input = result.counterexample[0];
      const err = result.errorInstance;
      known.add(errorSignature(err));
      report.crashes.push({ kind: 'crash', input: input.slice(), detail: describeError(err) });
      seed += 1;
    }
  } finally {
    if (target.teardown) await target.teardown();
  }
  return report;
}
