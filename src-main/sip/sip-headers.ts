// Small pure helpers over SipMessage: responses built from requests, reason phrases, header reading,
// and the headers every request and response of ours carries.

import { newTag } from './sip-random';
import { unquoteDisplayName } from './sip-uri';
import type { PackageUri, SipHeaders, SipMessage, SipNameAddr, SipRequest, SipResponse, SipRouteEntry } from './sip-message';

/** Methods we implement (RFC 3261 §20.5), sent in Allow and in 405 responses (§8.2.1). */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'UPDATE', 'PRACK', 'MESSAGE', 'INFO', 'REFER', 'NOTIFY'] as const;
export const ALLOW = ALLOWED_METHODS.join(', ');
/** Bodies we understand (RFC 3261 §20.1, §11.2). */
export const ACCEPT = 'application/sdp';
/**
 * Option tags (RFC 3261 §20.37), the one place they are listed: only what is implemented (a tag listed
 * here promises the peer behaviour we must then deliver).
 * 100rel: reliable provisional responses, PRACKed as caller (RFC 3262 §4, prack.ts) and sent as callee
 * (§3, reliable-provisional.ts). timer: session timers as caller and callee (RFC 4028, session-timer.ts).
 * A request may Require these.
 */
export const REQUIRABLE_OPTION_TAGS: readonly string[] = ['100rel', 'timer'];
/** Supported in our responses (OPTIONS, 2xx): what a request may Require of us. */
export const SUPPORTED = REQUIRABLE_OPTION_TAGS.join(', ');
/** Supported in our INVITEs: the same tags, since each is implemented in both roles. */
export const SUPPORTED_AS_CALLER = SUPPORTED;

/**
 * The Supported header (§8.1.1.9, §11.2): our option tags, or no header at all when there are none (an
 * empty `Supported:` says the same in theory but trips parsers that expect a token).
 */
export function supportedHeader(asCaller = false): { supported?: string } {
  const tags = asCaller ? SUPPORTED_AS_CALLER : SUPPORTED;
  return tags ? { supported: tags } : {};
}
/** RFC 3261 §8.1.1.6: a UAC MUST put Max-Forwards 70 in each request. */
export const MAX_FORWARDS = 70;

const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  305: 'Use Proxy',
  380: 'Alternative Service',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  420: 'Bad Extension',
  422: 'Session Interval Too Small',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  600: 'Busy Everywhere',
  603: 'Decline',
  604: 'Does Not Exist Anywhere',
  606: 'Not Acceptable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? '';
}

/** "486 Busy Here": the status line as people read it (the peer's own reason phrase when it sent one). */
export function statusText(res: Pick<SipResponse, 'status' | 'reason'>): string {
  const reason = res.reason && res.reason.trim() !== '' ? res.reason.trim() : reasonPhrase(res.status);
  return `${res.status} ${reason}`.trim();
}

export interface ResponseOptions {
  reason?: string;
  /**
   * Added to To when the request's To has no tag yet (RFC 3261 §8.2.6.2). Default: a fresh random tag
   * (for any status but 100, which §8.2.6.1 lets go without). null leaves To as the request had it:
   * only for made-up responses that our own code reads and never go on the wire.
   */
  toTag?: string | null;
  headers?: Partial<SipHeaders>;
  content?: string;
}

/**
 * A response to `req` (RFC 3261 §8.2.6.2): Via (with the received/rport the stack added), From,
 * Call-ID and CSeq copied, To copied with our tag added when it had none ("the UAS MUST add a tag to
 * the To header field in the response (with the exception of the 100 (Trying) response)"). Header
 * values that are empty text are left out (an empty header is never what we mean).
 */
export function createResponse(req: SipRequest, status: number, opts: ResponseOptions = {}): SipResponse {
  const to: SipNameAddr = { ...req.headers.to, params: { ...req.headers.to.params } };
  if (!to.params.tag && opts.toTag !== null) {
    const tag = opts.toTag ?? (status > 100 ? newTag() : undefined);
    if (tag) to.params.tag = tag;
  }
  const headers: SipHeaders = {
    via: req.headers.via.map((v) => ({ ...v, params: { ...v.params } })),
    to,
    from: req.headers.from,
    'call-id': req.headers['call-id'],
    cseq: { ...req.headers.cseq },
  };
  for (const [name, value] of Object.entries(opts.headers ?? {})) if (value !== undefined && !isEmptyText(value)) headers[name] = value;
  const res: SipResponse = { status, reason: opts.reason ?? reasonPhrase(status), headers };
  if (opts.content !== undefined) res.content = opts.content;
  return res;
}

function isEmptyText(v: unknown): boolean {
  return typeof v === 'string' && v.trim() === '';
}

/**
 * The message without headers whose value is empty text (a `User-Agent:` from an empty name, a
 * `Supported:` with no tags): what goes on the wire never carries an empty header (RFC 3261 §25.1
 * gives most headers at least one token). Returns the same object when nothing was empty.
 */
export function withoutEmptyHeaders<M extends SipMessage>(msg: M): M {
  const empty = Object.keys(msg.headers).filter((k) => isEmptyText(msg.headers[k]));
  if (empty.length === 0) return msg;
  const headers = { ...msg.headers };
  for (const k of empty) delete headers[k];
  return { ...msg, headers };
}

/** A header the package left as text (repeated headers joined with ','), trimmed; undefined if absent. */
export function headerText(msg: SipMessage, name: string): string | undefined {
  const v = msg.headers[name.toLowerCase()];
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** The display name of a From/To/Contact without its quotes ('' when none). */
export function displayNameOf(na: SipNameAddr | undefined): string {
  return na?.name ? unquoteDisplayName(na.name) : '';
}

/** The package's parsed URI back to text (mirrors its stringifyUri; NaN/absent port left out). */
export function formatPackageUri(u: PackageUri): string {
  let s = `${u.schema || 'sip'}:`;
  if (u.user) s += u.password ? `${u.user}:${u.password}@` : `${u.user}@`;
  s += u.host;
  if (u.port) s += `:${u.port}`;
  for (const [name, value] of Object.entries(u.params ?? {})) s += value ? `;${name}=${value}` : `;${name}`;
  const hs = Object.entries(u.headers ?? {}).map(([n, v]) => `${n}=${v}`);
  if (hs.length > 0) s += `?${hs.join('&')}`;
  return s;
}

/** A Route / Record-Route entry's URI as text (undefined when the package could not parse it). */
export function routeUri(entry: SipRouteEntry): string | undefined {
  if (typeof entry.uri === 'string') return entry.uri;
  if (entry.uri && typeof entry.uri === 'object' && typeof entry.uri.host === 'string') return formatPackageUri(entry.uri);
  return undefined;
}

/** Contact entries of a message ([] for none or "*"). */
export function contactsOf(msg: SipMessage): SipNameAddr[] {
  const c = msg.headers.contact;
  return Array.isArray(c) ? c.filter((x) => x && typeof x.uri === 'string' && x.uri !== '') : [];
}

/** True when the message carries an SDP body (RFC 3261 §20.15: Content-Type names it). */
export function hasSdp(msg: SipMessage): boolean {
  const body = msg.content ?? '';
  if (body.trim() === '') return false;
  const type = (headerText(msg, 'content-type') ?? 'application/sdp').toLowerCase();
  return type.startsWith('application/sdp');
}

/** Integer value of a numeric header or parameter; undefined if absent or not a number. */
export function intOf(v: string | number | null | undefined): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : undefined;
}

/** Option tags of a Require / Supported value, lower-case ("100rel, Timer" -> ['100rel', 'timer']). */
export function optionTags(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== '');
}

/** RFC 3261 §8.2.2.3: the Require tags of `req` we do not implement (for 420 Unsupported), [] when none. */
export function unsupportedRequired(req: SipMessage): string[] {
  return optionTags(headerText(req, 'require')).filter((t) => !REQUIRABLE_OPTION_TAGS.includes(t));
}
