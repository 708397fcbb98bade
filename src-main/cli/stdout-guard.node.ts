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
import { EXIT_LINE_PREFIX, GUARD_ENV } from './stdout-guard-child.node';

/** How long the parent lets the child finish exiting after its exit line, before SIGKILL. */
const EXIT_GRACE_MS = 3000;

export { announceExit, isGuardedChild, watchParent } from './stdout-guard-child.node';

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
