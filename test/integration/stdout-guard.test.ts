// The sound-card filter process: a child that hangs after saying its exit code (PortAudio's abort never
// returning) is killed and the code it announced is kept, so `listen --max-calls` always ends.
import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { runFilteredChild } from '../../src-main/cli/stdout-guard.node';

const HUNG = fileURLToPath(new URL('../fixtures/guard/hung-exit-child.mjs', import.meta.url));

describe('stdout guard exit handshake', () => {
  const savedArgv = process.argv[1];
  const savedExecArgv = process.execArgv;
  afterEach(() => {
    process.argv[1] = savedArgv ?? '';
    Object.defineProperty(process, 'execArgv', { value: savedExecArgv, configurable: true });
  });

  it('kills a child hung after its exit line and returns the code it announced', async () => {
    process.argv[1] = HUNG;
    Object.defineProperty(process, 'execArgv', { value: [], configurable: true });
    const started = Date.now();
    // Without the handshake this never resolves (the child runs forever); the test timeout bounds it.
    const code = await runFilteredChild(['7']);
    expect(code).toBe(7);
    // Killed after the grace period, not at once: a child still flushing gets its time.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
  });
});
