// Keeps stdout one JSON event per line when the sound card is used: naudiodon's native code printf()s
// to fd 1 ("PortAudio V19…", "Input device name is …"), which JavaScript cannot redirect in-process.
// So the CLI runs itself as a child whose stdout it filters: event lines pass, anything else goes to
// stderr. Only the sound-card modes pay for the second process; WAV-file calls run directly.
// The child's stderr passes through the parent too: ALSA, JACK and PortAudio write hundreds of lines
// there on a PC without a sound card, kept off the terminal unless --log-level debug (native-noise.ts).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { parseEventLine } from './cli-events';
import { isResultLine } from './control-lines';
import { isNativeNoise } from './native-noise';

// Holds the filtering parent's pid: a stale or hand-set value (not our parent) is ignored.
const GUARD_ENV = 'SOFTPHONE_STDOUT_GUARD_PARENT';

/**
 * The child's last stdout line, just before process.exit(): its exit code. PortAudio can hang the
 * child's exit for good (a stream whose abort never returns keeps the media thread, which Node joins at
 * exit, inside native code), so the parent stops waiting for 'close' once it has this line.
 */
const EXIT_LINE_PREFIX = '\u0000softphone-exit ';
/** How long the parent lets the child finish exiting after its exit line, before SIGKILL. */
const EXIT_GRACE_MS = 3000;

/** True inside the filtered child. */
export function isGuardedChild(): boolean {
  return process.env[GUARD_ENV] === String(process.ppid);
}

/** In the child: tells the parent the exit code it is about to exit with. */
export function announceExit(code: number): void {
  if (!process.stdout.destroyed && process.stdout.writable) process.stdout.write(`${EXIT_LINE_PREFIX}${code}\n`);
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

/** Writes to our stdout/stderr that fail (the reader went away) are dropped, never thrown. */
function write(stream: NodeJS.WriteStream, text: string): void {
  if (!stream.destroyed && stream.writable) stream.write(text);
}

/**
 * Runs this CLI again as a filtered child; resolves with the exit code to use. `showNative`: pass the
 * sound libraries' own output on to stderr (marked [native]) instead of dropping it.
 */
export function runFilteredChild(argv: readonly string[], showNative = false): Promise<number> {
  const script = process.argv[1];
  if (!script) return Promise.resolve(1);
  const child = spawn(process.execPath, [...process.execArgv, script, ...argv], {
    // Its own process group: a terminal's Ctrl-C reaches only us, and we pass it on exactly once.
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, [GUARD_ENV]: String(process.pid) },
  });
  process.stderr.on('error', () => {});
  // Our stdin carries the control channel's requests: passed on, but never ended, since the child
  // takes the end of its stdin for "parent gone" (watchParent).
  child.stdin.on('error', () => {});
  process.stdin.on('error', () => {});
  process.stdin.on('data', (chunk: Buffer) => {
    if (child.stdin.writable) child.stdin.write(chunk);
  });
  let announced: number | undefined;
  let exitTimer: ReturnType<typeof setTimeout> | undefined;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (line.startsWith(EXIT_LINE_PREFIX)) {
      const code = Number(line.slice(EXIT_LINE_PREFIX.length));
      announced = Number.isInteger(code) ? code : 1;
      exitTimer ??= setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
      return;
    }
    if (parseEventLine(line) || isResultLine(line)) write(process.stdout, `${line}\n`);
    else if (showNative && line.trim() !== '') write(process.stderr, `[native] ${line}\n`);
  });
  const errLines = createInterface({ input: child.stderr });
  errLines.on('line', (line) => {
    if (!isNativeNoise(line)) write(process.stderr, `${line}\n`);
    else if (showNative && line.trim() !== '') write(process.stderr, `[native] ${line}\n`);
  });
  // The child hangs up and un-registers within 2 s of a signal; one that does not is killed.
  let killTimer: ReturnType<typeof setTimeout> | undefined;
  const forward = (sig: NodeJS.Signals) => () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(sig);
    killTimer ??= setTimeout(() => child.kill('SIGKILL'), 3000);
    killTimer.unref();
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
    child.on('close', (code) => {
      clearTimeout(killTimer);
      clearTimeout(exitTimer);
      // A child killed while hung in its native exit had already said how it ended.
      resolve(announced ?? code ?? 1);
    });
  });
}
