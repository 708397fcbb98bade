// The control channel's line rules that the CLI needs before any request arrives (the output filter, the
// length limit): kept apart from control-channel.ts so that start-up does not load the zod contract.
import { encodeResult } from '../web/ws-protocol';

/** A line longer than this is refused unread (a request is a few hundred bytes). */
export const MAX_CONTROL_LINE = 64 * 1024;

/** A result line (`{"id":…,"result":…}`) as this channel writes it: the CLI's output filter lets it through. */
export function isResultLine(line: string): boolean {
  try {
    const v = JSON.parse(line) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) && 'id' in v && 'result' in v;
  } catch {
    return false;
  }
}

/** The answer to a request line over MAX_CONTROL_LINE (it is not read). */
export function tooLongResult(): string {
  return encodeResult(null, { ok: false, error: { code: 'invalid-request', message: `a request line is at most ${MAX_CONTROL_LINE} bytes` } });
}
