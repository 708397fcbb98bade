// Runs SIPp as the callee (a UAS scenario from test/fixtures/sipp) on a port of its own, so a user agent
// under test can call it; resolves with SIPp's exit status once its one call is over.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortRange, freeUdpPort } from './free-port';
import { udpPortBound } from './udp-listening';
import { SIPP_FIXTURES, type SippResult } from './sipp';

export interface SippUas {
  /** SIPp's SIP port on 127.0.0.1. */
  port: number;
  /** SIPp's exit: code 0 when the call followed the scenario. */
  done: Promise<SippResult>;
  /** Ends SIPp early (a test that failed before the scenario did). */
  kill(): void;
}

/**
 * Starts `sipp -sf <scenario>` listening on 127.0.0.1 for one call. `keys` become [name] in the scenario
 * (SIPp's -key). SIPp gives up after `timeoutSeconds` (exit code non-zero), so a test cannot hang on it.
 */
export async function startSippUas(scenario: string, keys: Record<string, string> = {}, timeoutSeconds = 20): Promise<SippUas> {
  const port = await freeUdpPort();
  // SIPp binds an RTP echo port (default 6000): one of our own, so parallel tests cannot collide.
  const media = await freePortRange(4);
  const dir = mkdtempSync(join(tmpdir(), 'sipp-uas-'));
  const args = [
    '-sf', join(SIPP_FIXTURES, scenario), '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(media.min),
    '-m', '1', '-nostdin', '-trace_err', '-timeout', `${timeoutSeconds}s`, '-timeout_error',
    ...Object.entries(keys).flatMap(([k, v]) => ['-key', k, v]),
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), (timeoutSeconds + 5) * 1000);
  const done = new Promise<SippResult>((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(killer);
      let errors = '';
      for (const f of readdirSync(dir)) if (f.endsWith('_errors.log')) errors += readFileSync(join(dir, f), 'utf8');
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output: output.slice(-4000), errors });
    });
  });
  let exited = false;
  void done.then(() => (exited = true));
  // Ready once SIPp holds its port (our bind fails), so the first INVITE is not lost to a socket not yet bound.
  for (let i = 0; i < 100 && !exited && !udpPortBound(port); i++) await new Promise((r) => setTimeout(r, 50));
  return { port, done, kill: () => child.kill('SIGKILL') };
}
