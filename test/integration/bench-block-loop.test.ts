// test/bench/block-loop.cjs (preloaded with --require): it must stall the main event loop for the set
// time, leave worker threads alone, and report the CPU it burnt so the bench can take it out.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BLOCK_LOOP = resolve(__dirname, '../bench/block-loop.cjs');

// For ~1.3 s, both threads note the largest gap between 5 ms timer ticks: the main thread's gaps show
// the blocks, the worker's must stay small.
const PROBE = `
const { Worker } = require('node:worker_threads');
const measure = \`
  let last = performance.now(), worst = 0;
  const t = setInterval(() => { const n = performance.now(); worst = Math.max(worst, n - last); last = n; }, 5);
  setTimeout(() => { clearInterval(t); require('node:worker_threads').parentPort?.postMessage(worst); globalThis.done?.(worst); }, 1300);
\`;
const w = new Worker(measure, { eval: true });
let mainWorst, workerWorst;
const finish = () => { if (mainWorst !== undefined && workerWorst !== undefined) { console.log(JSON.stringify({ mainWorst, workerWorst })); process.exit(0); } };
w.on('message', (v) => { workerWorst = v; finish(); });
globalThis.done = (v) => { mainWorst = v; finish(); };
eval(measure);
`;

describe('block-loop.cjs', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  it('blocks only the main thread, for BENCH_BLOCK_MS every BENCH_BLOCK_EVERY_MS, and reports its CPU', async () => {
    dir = mkdtempSync(join(tmpdir(), 'block-loop-'));
    const report = join(dir, 'report.txt');
    const { stdout } = await run(process.execPath, ['--require', BLOCK_LOOP, '-e', PROBE], {
      env: { ...process.env, BENCH_BLOCK_MS: '150', BENCH_BLOCK_EVERY_MS: '400', BENCH_BLOCK_REPORT: report },
      timeout: 20_000,
    });
    const { mainWorst, workerWorst } = JSON.parse(stdout) as { mainWorst: number; workerWorst: number };
    expect(mainWorst).toBeGreaterThanOrEqual(145);
    expect(workerWorst).toBeLessThan(100);
    const [spinning, ticks, spins] = readFileSync(report, 'utf8').trim().split(' ').map(Number);
    expect(spinning).toBe(0);
    expect(spins).toBeGreaterThanOrEqual(2);
    // ~150 ms of CPU per spin at 100 ticks/s; allow for a loaded machine taking the CPU away.
    expect(ticks).toBeGreaterThanOrEqual((spins ?? 0) * 5);
    expect(ticks).toBeLessThanOrEqual((spins ?? 0) * 16 + 2);
  });

  it('does nothing without BENCH_BLOCK_MS', async () => {
    const { stdout } = await run(process.execPath, ['--require', BLOCK_LOOP, '-e', PROBE], {
      env: { ...process.env, BENCH_BLOCK_MS: '' },
      timeout: 20_000,
    });
    const { mainWorst } = JSON.parse(stdout) as { mainWorst: number };
    expect(mainWorst).toBeLessThan(100);
  });
});
