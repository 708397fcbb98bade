// Smoke run of the bench's answering side (issue 12.5): a baresip caller calls our `softphone listen
// --auto-answer` and then a baresip callee through Kamailio, both measured from /proc and a capture.
// Checks that every figure is there and the audio went both ways; speed is the bench's business, not
// this test's (no timing is asserted).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../support/audio-check';
import { skipWithoutRealPeer } from '../support/real-peer-gate';
import type { SideRun } from '../bench/side-table';

const run = promisify(execFile);
const BENCH = resolve(__dirname, '../../dist/bench.js');

function missing(): string | null {
  for (const cmd of ['kamailio', 'baresip', 'tshark']) {
    try {
      execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    } catch {
      return `${cmd} is not installed`;
    }
  }
  return existsSync(BENCH) ? null : 'dist/bench.js is missing (npm run build)';
}
const skip = skipWithoutRealPeer('bench answering-side smoke', missing());

describe.skipIf(skip)('npm run bench, answering side (smoke)', () => {
  const dir = makeTempDir('bench-smoke-');
  afterAll(() => removeDir(dir));

  it('measures our listen and baresip as callees side by side: answer times, CPU, RSS, threads, audio both ways', async () => {
    const out = join(dir, 'bench.json');
    // Exit code 0 = every run was measured (a failed bar is reported, not fatal).
    const { stdout } = await run(process.execPath, [BENCH, '--sides', 'answer', '--conditions', 'idle', '--seconds', '3', '--out', out], {
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toContain('| Side, condition | Metric | softphone | baresip | Bar |');
    expect(stdout).toMatch(/\| answering \(caller: baresip\), idle \| INVITE at callee → 200 OK, ms \| [\d.]+ /);
    const rows = (JSON.parse(readFileSync(out, 'utf8')) as { sides: { rows: SideRun[] } }).sides.rows;
    for (const impl of ['softphone', 'baresip'] as const) {
      const r = rows.find((x) => x.side === 'answer' && x.condition === 'idle' && x.impl === impl);
      expect(r, impl).toBeDefined();
      expect(r?.error, impl).toBeUndefined();
      expect(r?.okMs, impl).toEqual(expect.any(Number));
      expect(r?.ringingMs, impl).toEqual(expect.any(Number));
      expect(r?.threads, impl).toBeGreaterThan(0);
      expect(r?.peakRssKb, impl).toBeGreaterThan(0);
      expect(r?.send?.count, impl).toBeGreaterThan(50);
      // The caller heard the callee's 1.5 kHz, the callee the caller's 1 kHz.
      expect(r?.peerHears, impl).toBeGreaterThanOrEqual(0.8);
      expect(r?.hears, impl).toBeGreaterThanOrEqual(0.8);
    }
  }, 180_000);
});
