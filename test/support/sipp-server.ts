// Runs SIPp as the server side of a scenario (a registrar, an SBC, a PBX): it listens on a free port
// of 127.0.0.1 and answers what the softphone sends; `done` resolves with SIPp's exit status.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpPort } from './free-port';
import { udpPortBound } from './udp-listening';
import { SIPP_FIXTURES, type SippResult } from './sipp';

export interface SippServer {
  port: number;
  /** SIPp's exit: 0 when the scenario ran to its end with every check passing. */
  done: Promise<SippResult>;
  stop(): void;
}

/** Starts SIPp with `scenario` (a file in test/fixtures/sipp) as a UAS for one call; resolves once it listens. */
export async function startSippServer(scenario: string, timeoutSeconds = 30): Promise<SippServer> {
  const port = await freeUdpPort();
  const mediaPort = await freeUdpPort();
  const dir = mkdtempSync(join(tmpdir(), 'sipp-uas-'));
  const args = [
    '-sf', join(SIPP_FIXTURES, scenario), '-i', '127.0.0.1', '-p', String(port), '-mp', String(mediaPort),
    '-m', '1', '-nostdin', '-trace_err', '-timeout', `${timeoutSeconds}s`, '-timeout_error',
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  const done = new Promise<SippResult>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), (timeoutSeconds + 5) * 1000);
    child.on('exit', (code) => {
      exited = true;
      clearTimeout(killer);
      let errors = '';
      for (const f of readdirSync(dir)) if (f.endsWith('_errors.log')) errors += readFileSync(join(dir, f), 'utf8');
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, output: output.slice(-4000), errors });
    });
  });
  // Bounded: SIPp binds within milliseconds; 500 probes cover a loaded machine.
  for (let i = 0; i < 500 && !exited && !udpPortBound(port); i++) await new Promise((r) => setTimeout(r, 10));
  return { port, done, stop: () => void (exited || child.kill('SIGTERM')) };
}
