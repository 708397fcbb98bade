// Retry-After (RFC 3261 §20.33): when a 503 (or 480/486/600/603/500/404/413) says to try again. Pure.

import { headerText } from './sip-headers';
import type { SipResponse } from './sip-message';

export interface RetryAfter {
  /** delta-seconds, capped at MAX_RETRY_AFTER_SECONDS. */
  seconds: number;
  /** The comment in parentheses, if any ("In a meeting"): shown to the user as the server wrote it. */
  comment?: string;
}

/** A day: a larger value (delta-seconds goes up to 2^32-1) is taken as "not today" rather than trusted as is. */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/** Bounded, without control or bidi-override characters: the comment comes from the network and ends up in the UI and logs. */
const COMMENT_MAX = 80;

/**
 * Parses `Retry-After = delta-seconds [ comment ] *( SEMI retry-param )` (RFC 3261 §20.33, §25.1).
 * Returns undefined when absent or malformed (then the response is treated as if it had none).
 * A repeated header (joined with ',' by the parser) uses the first value.
 */
export function parseRetryAfter(value: string | undefined): RetryAfter | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d{1,20})\s*(?:\(([^)]*)\))?\s*(?:;[^,]*)?(?:,.*)?$/s.exec(value);
  if (!m || m[1] === undefined) return undefined;
  const seconds = Math.min(Number(m[1]), MAX_RETRY_AFTER_SECONDS);
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed here
  const comment = m[2]?.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, COMMENT_MAX);
  return comment ? { seconds, comment } : { seconds };
}

/** The Retry-After of a response, if it has a well-formed one. */
export function retryAfterOf(res: SipResponse): RetryAfter | undefined {
  return parseRetryAfter(headerText(res, 'retry-after'));
}

/** "retry after 30 s" / "retry after 30 s (In a meeting)": appended to a status in reasons the user reads. */
export function describeRetryAfter(r: RetryAfter): string {
  return `retry after ${r.seconds} s${r.comment ? ` (${r.comment})` : ''}`;
}
