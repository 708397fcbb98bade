// Runs SIPp (Debian sip-tester) with a scenario against a local peer and reports its exit status.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeUdpPort } from './free-port';

export const SIPP_FIXTURES = resolve(__dirname, '../fixtures/sipp');

export interface SippResult {
  /** 0: every call passed; 1: at least one failed; other: SIPp error. */
  code: number | null;
  output: string;
  /** Text of the *_errors.log SIPp wrote (unexpected messages), if any. */
  errors: string;
}

/** Runs one call of `scenario` (file name in test/fixtures/sipp or a built-in `-sn` name) to 127.0.0.1:port. */
export async function runSipp(
  scenario: string,
  port: number,
  extraArgs: string[] = [],
  timeoutSeconds = 15,
): Promise<SippResult> {
  // SIPp's -p 0 still means 5060: give it a port of its own.
  const localPort = await freeUdpPort();
  const dir = mkdtempSync(join(tmpdir(), 'sipp-'));
  const scenarioArgs = scenario.endsWith('.xml') ? ['-sf', join(SIPP_FIXTURES, scenario)] : ['-sn', scenario];
  const args = [
    `127.0.0.1:${port}`, ...scenarioArgs, '-i', '127.0.0.1', '-p', String(localPort), '-m', '1', '-l', '1',
    '-nostdin', '-trace_err', '-timeout', `${timeoutSeconds}s`, '-timeout_error', ...extraArgs,
  ];
  return new Promise((res) => {
    const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), (timeoutSeconds + 5) * 1000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      let errors = '';
      for (const f of readdirSync(dir)) if (f.endsWith('_errors.log')) errors += readFileSync(join(dir, f), 'utf8');
      rmSync(dir, { recursive: true, force: true });
      res({ code, output: output.slice(-4000), errors });
    });
  });
}
