// DTMF in SIP INFO (the "legacy" usage of RFC 6086 §2 that PBXs still speak): our application/dtmf-relay
// body, and a received INFO's body judged as a key press or not. Pure: strings in, verdicts out.
import { dtmfDigit, dtmfEventCode } from '../rtp/dtmf-event';

/** The INFO bodies we read; anything else gets 415 with these in Accept (RFC 3261 §21.4.16). */
export const DTMF_INFO_TYPES = ['application/dtmf-relay', 'application/dtmf'] as const;
/** A key press is a few lines; a larger body is not one (and is not read further). */
const MAX_BODY = 1024;
/** What we accept as a Duration (ms); outside it the digit still counts, the duration is dropped. */
const MAX_DURATION_MS = 60_000;

export type DtmfInfoVerdict =
  /** A key: answer 200 and report it. */
  | { kind: 'digit'; digit: string; durationMs?: number }
  /** No body (an INFO used as a keep-alive, RFC 6086 §2): answer 200, nothing to report. */
  | { kind: 'empty' }
  /** A body type we do not read: answer 415 with Accept. */
  | { kind: 'unsupported'; type: string }
  /** One of our types, but not a key we know: answer 200 (the request was understood) and report nothing. */
  | { kind: 'ignored'; reason: string };

/** The media type of a Content-Type value, lower case, without parameters. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** "5", "*", "a", or an RFC 4733 event code "0".."15" (some gateways send Signal=10 for *): the digit. */
function signalDigit(value: string): string | undefined {
  const v = value.trim();
  if (v.length === 1 && dtmfEventCode(v) >= 0) return v.toUpperCase();
  if (/^\d{1,2}$/.test(v)) return dtmfDigit(Number(v));
  return undefined;
}

/** Judges a received INFO by its Content-Type and body. */
export function judgeDtmfInfo(contentType: string | undefined, body: string | undefined): DtmfInfoVerdict {
  const text = body ?? '';
  const type = mediaType(contentType);
  if (text.trim() === '' && (type === '' || (DTMF_INFO_TYPES as readonly string[]).includes(type))) return { kind: 'empty' };
  if (!(DTMF_INFO_TYPES as readonly string[]).includes(type)) return { kind: 'unsupported', type: type || '(none)' };
  if (text.length > MAX_BODY) return { kind: 'ignored', reason: 'body too large for a key press' };
  if (type === 'application/dtmf') {
    // The body is the key itself (or its event code).
    const digit = signalDigit(text);
    return digit ? { kind: 'digit', digit } : { kind: 'ignored', reason: 'not a DTMF key' };
  }
  // application/dtmf-relay: "Signal=5\r\nDuration=160\r\n", keys case-insensitive, any line ending.
  let signal: string | undefined;
  let duration: number | undefined;
  for (const line of text.split(/\r\n|\r|\n/)) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase();
    const value = line.slice(eq + 1).trim();
    if (key === 'signal' && signal === undefined) signal = value;
    else if (key === 'duration' && duration === undefined && /^\d{1,6}$/.test(value)) duration = Number(value);
  }
  const digit = signal === undefined ? undefined : signalDigit(signal);
  if (!digit) return { kind: 'ignored', reason: signal === undefined ? 'no Signal line' : 'not a DTMF key' };
  return duration !== undefined && duration > 0 && duration <= MAX_DURATION_MS ? { kind: 'digit', digit, durationMs: duration } : { kind: 'digit', digit };
}

/** Our INFO body for one key (the Cisco/Asterisk format every PBX reads). */
export function dtmfRelayBody(digit: string, durationMs: number): string {
  return `Signal=${digit.toUpperCase()}\r\nDuration=${Math.round(durationMs)}\r\n`;
}
