// Runs SIPp (Debian sip-tester) with a scenario against a local peer (or as a scripted server on a port
// of its own) and reports its exit status.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeUdpPort } from './free-port';
import { udpPortBound } from './udp-listening';

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
  return spawnSipp(args, dir, timeoutSeconds);
}

function spawnSipp(args: string[], dir: string, timeoutSeconds: number, onSpawn?: (kill: () => void) => void): Promise<SippResult> {
  return new Promise((res) => {
    const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    onSpawn?.(() => child.kill('SIGKILL'));
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

/** Why SIPp cannot run here, or null. */
export function sippMissing(): string | null {
  const r = spawnSync('sipp', ['-v'], { encoding: 'utf8' });
  return r.error ? `sipp not installed (${r.error.message})` : null;
}

export interface SippServer {
  /** The UDP port SIPp listens on (127.0.0.1). */
  port: number;
  /** Settles when SIPp exits (after one call, the scenario's end, or its -timeout). */
  done: Promise<SippResult>;
  kill(): void;
}

/**
 * SIPp as a UAS running `scenario` (a file in test/fixtures/sipp) for one call on a free port of
 * 127.0.0.1, e.g. a scripted registrar. Resolves once SIPp holds the port, so the first request is not lost.
 */
export async function startSippServer(scenario: string, extraArgs: string[] = [], timeoutSeconds = 120): Promise<SippServer> {
  const port = await freeUdpPort();
  const dir = mkdtempSync(join(tmpdir(), 'sipp-uas-'));
  const args = [
    '-sf', join(SIPP_FIXTURES, scenario), '-i', '127.0.0.1', '-p', String(port), '-m', '1',
    '-nostdin', '-trace_err', '-timeout', `${timeoutSeconds}s`, '-timeout_error', ...extraArgs,
  ];
  let kill = (): void => {};
  let exited = false;
  const done = spawnSipp(args, dir, timeoutSeconds, (k) => (kill = k)).then((r) => {
    exited = true;
    return r;
  });
  // Bounded: SIPp binds within milliseconds; 200 polls cover a slow, shared machine.
  for (let i = 0; i < 200 && !exited; i++) {
    if (udpPortBound(port)) return { port, done, kill };
    await new Promise((r) => setTimeout(r, 50));
  }
  kill();
  const r = await done;
  throw new Error(`SIPp did not start listening on ${port} (exit ${String(r.code)}): ${r.output}`);
}
