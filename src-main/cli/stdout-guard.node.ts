// Keeps stdout one JSON event per line when the sound card is used: naudiodon's native code printf()s
// to fd 1 ("PortAudio V19…", "Input device name is …"), which JavaScript cannot redirect in-process.
// So the CLI runs itself as a child whose stdout it filters: event lines pass, anything else goes to
// stderr. Only the sound-card modes pay for the second process; WAV-file calls run directly.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseEventLine } from './cli-events';

// Holds the filtering parent's pid: a stale or hand-set value (not our parent) is ignored.
const GUARD_ENV = 'SOFTPHONE_STDOUT_GUARD_PARENT';

/** True inside the filtered child. */
export function isGuardedChild(): boolean {
  return process.env[GUARD_ENV] === String(process.ppid);
}

/**
 * In the child: a parent that dies (even by SIGKILL) closes our stdin pipe; treat that like SIGTERM so
 * a call is never left up without anyone to see it.
 */
export function watchParent(onGone: () => void): void {
  let gone = false;
  const once = () => {
    if (!gone) onGone();
    gone = true;
  };
  process.stdin.on('end', once);
  process.stdin.on('close', once);
  process.stdin.on('error', once);
  process.stdin.resume();
}

/** Runs this CLI again as a filtered child; resolves with the exit code to use. */
export function runFilteredChild(argv: readonly string[]): Promise<number> {
  const script = process.argv[1];
  if (!script) return Promise.resolve(1);
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
    // Its own process group: a terminal's Ctrl-C reaches only us, and we pass it on exactly once.
    detached: true,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, [GUARD_ENV]: String(process.pid) },
  });
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (parseEventLine(line)) process.stdout.write(`${line}\n`);
    else if (line.trim() !== '') process.stderr.write(`[native] ${line}\n`);
  });
  const forward = (sig: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  process.on('SIGHUP', forward('SIGTERM'));
  process.stdout.on('error', forward('SIGTERM'));
  return new Promise((resolve) => {
    child.on('error', (err) => {
      process.stderr.write(`softphone: cannot start: ${err.message}\n`);
      resolve(1);
    });
    // 'close' comes after stdout has been drained, so no event line is lost.
    child.on('close', (code) => resolve(code ?? 1));
  });
}
