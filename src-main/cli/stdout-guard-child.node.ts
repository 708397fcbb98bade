// The filtered child's side of stdout-guard.node.ts (which see): kept apart so that a WAV-file call, which
// runs unfiltered, does not load the parent's child_process and readline at start-up (issue 12).

// Holds the filtering parent's pid: a stale or hand-set value (not our parent) is ignored.
export const GUARD_ENV = 'SOFTPHONE_STDOUT_GUARD_PARENT';

/**
 * The child's last stdout line, just before process.exit(): its exit code. PortAudio can hang the
 * child's exit for good (a stream whose abort never returns keeps the media thread, which Node joins at
 * exit, inside native code), so the parent stops waiting for 'close' once it has this line.
 */
export const EXIT_LINE_PREFIX = '\u0000softphone-exit ';

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
