// CI's short fuzzing pass: every target for ~2 s from a fixed seed (the same inputs each run, as many
// as the time allows). A crash or a broken invariant fails with the input; slow inputs are only
// reported here (no speed limits in tests: `npm run fuzz` and the bench measure time).
import { describe, expect, it } from 'vitest';
import { runTarget } from '../../fuzz/run-fuzz';
import { FUZZ_TARGETS } from '../../fuzz/targets';

const SECONDS = 2;
const SEED = 20_261_202;

describe('fuzz short pass', () => {
  for (const target of FUZZ_TARGETS) {
    it(`${target.name}: no crash or broken invariant in ${SECONDS} s of mutated inputs`, { timeout: 60_000 }, async () => {
      const report = await runTarget(target, { seconds: SECONDS, seed: SEED });
      const crashes = report.crashes.map((c) => `${c.detail}\n  input (${c.input.length} bytes, hex): ${Buffer.from(c.input.subarray(0, 256)).toString('hex')}`);
      console.log(`fuzz ${target.name}: ${report.executions} executions, ${report.crashes.length} crashes, ${report.slow.length} slow (> 10 ms CPU), max ${report.maxMs.toFixed(1)} ms`);
      expect(report.executions).toBeGreaterThan(10);
      expect(crashes).toEqual([]);
    });
  }
});
