// The bench's "burn" condition: CPU-burning processes (two by default, one per core here) at normal
// priority for the length of a run, so the measured phone competes for the CPUs like on a busy desktop.
import { spawn, type ChildProcess } from 'node:child_process';

export interface BurnLoad {
  pids: number[];
  stop(): Promise<void>;
}

/** A tight loop that never allocates and never yields: pure CPU, no memory or I/O pressure. */
const BURN_SOURCE = 'for (;;) {}';

export async function startBurn(count = 2): Promise<BurnLoad> {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) children.push(spawn(process.execPath, ['-e', BURN_SOURCE], { stdio: 'ignore' }));
  // Each burner must really be running (spawned and not exited) before the run starts.
  await Promise.all(children.map((c) => new Promise<void>((res, rej) => {
    c.once('spawn', () => res());
    c.once('error', rej);
  })));
  const stop = async () => {
    await Promise.all(children.map((c) => new Promise<void>((res) => {
      if (c.exitCode !== null || c.signalCode !== null) return res();
      c.once('exit', () => res());
      c.kill('SIGKILL');
    })));
  };
  return { pids: children.map((c) => c.pid ?? -1), stop };
}
