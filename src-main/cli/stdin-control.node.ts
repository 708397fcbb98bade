// Reads the control channel's request lines from stdin while `call` or `listen` runs and writes each
// result line to stdout, in order (control-channel.ts does the work; this is the stream plumbing).
import { handleControlLine, type ControlHandlers } from './control-channel';
import { MAX_CONTROL_LINE, tooLongResult } from './control-lines';

/**
 * Starts reading unless stdin is a terminal: scripts pipe requests in, while a terminal is left alone
 * (reading it would stop a `softphone listen &` started in the background with SIGTTIN).
 */
export function startStdinControl(handlers: ControlHandlers, write: (line: string) => void): () => void {
  const input = process.stdin;
  if (input.isTTY) return () => {};
  let pending = '';
  /** Inside an over-long line: drop bytes until its newline, then answer it with one error. */
  let overflow = false;
  let chain: Promise<void> = Promise.resolve();
  const answer = (line: string | null) => {
    chain = chain
      .then(() => (line === null ? tooLongResult() : handleControlLine(line, handlers)))
      .then((out) => {
        if (out !== null) write(out);
      })
      .catch(() => {});
  };
  const onData = (chunk: string | Buffer) => {
    pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let nl = pending.indexOf('\n');
    while (nl >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (overflow) {
        overflow = false;
        answer(null);
      } else {
        answer(line);
      }
      nl = pending.indexOf('\n');
    }
    if (pending.length > MAX_CONTROL_LINE) {
      overflow = true;
      pending = '';
    }
  };
  input.on('data', onData);
  // stdin may be closed or /dev/null: the phone runs on without a control channel.
  input.on('error', () => {});
  input.resume();
  return () => {
    input.off('data', onData);
  };
}
