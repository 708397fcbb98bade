// The strict gate in front of the `sip` package's parser: one linear pass over a raw UDP datagram that
// decides pass / drop / answer-with-an-error before any regular expression of the package sees it.
//
// Why: the package's parser accepts what RFC 3261 rejects (RFC 4475 §3.1.2, §3.3: Content-Length
// 9999 or -999, SIP/7.0, unbalanced quotes, <> around a Request-URI, unknown schemes and bodies),
// decodes %-escapes in method names (RE%47IST%45R became REGISTER), and its regular expressions are
// super-linear on long lists (64 KB of Record-Route cost ~370 ms). This pass is bounded by the size cap.
//
// Answers are stateless (RFC 3261 §8.2, §18.2.2): built from the request's own Via/From/To/Call-ID/CSeq
// and sent back to where the datagram came from. Malformed responses are dropped (§18.3 says discard).

import { isToken, nameAddrListValid, nameAddrValid, parseViaParm, splitTopLevel } from './message-gate-fields';

export interface GateConfig {
  /**
   * Largest datagram looked at (bytes). 16 KB: RFC 3261 §18.1.1 keeps UDP requests under 1300 bytes
   * where it can, real INVITEs with ICE candidates and a long Record-Route stay under ~6 KB, and
   * the cap bounds the parse to well under 1 ms (npm run bench:parser). Bigger ones are dropped.
   */
  maxBytes: number;
  /** Header fields (after unfolding); RFC 4475 §3.1.1.7's long request has ~45. */
  maxHeaders: number;
  /** Values across the list headers the package parses (Via, Route, Record-Route, Contact). */
  maxListValues: number;
  /** Methods recognised (RFC 3261 §8.2.1): others get 501. Compared exactly, never %-decoded. */
  knownMethods: ReadonlySet<string>;
  /** The Allow header of a 501. */
  allow: string;
  /** A fresh To tag for our answers (§8.2.6.2). */
  newTag: () => string;
}

export const DEFAULT_GATE_LIMITS = { maxBytes: 16 * 1024, maxHeaders: 100, maxListValues: 100 } as const;

/** Methods with an RFC (RFC 3261 and its extensions): a method outside it is "not implemented". */
export const RECOGNISED_METHODS: ReadonlySet<string> = new Set([
  'INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER',
  'MESSAGE', 'UPDATE',
]);

export type GateVerdict =
  | { action: 'pass'; kind: 'request'; method: string }
  | { action: 'pass'; kind: 'response' }
  | { action: 'drop'; reason: string }
  | { action: 'reject'; status: number; reason: string; method: string; response: string };

const COMPACT: Record<string, string> = {
  i: 'call-id', m: 'contact', l: 'content-length', c: 'content-type', f: 'from', t: 'to', v: 'via', e: 'content-encoding',
  k: 'supported', s: 'subject',
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  406: 'Not Acceptable',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  501: 'Not Implemented',
  505: 'Version Not Supported',
};

interface Field {
  name: string;
  value: string;
}

class Reject {
  constructor(
    readonly status: number,
    readonly why: string,
    readonly headers: string[] = [],
  ) {}
}

/** What an error answer copies (§8.2.6.2): kept even past the header cap, so the answer can be built. */
const ANSWER_FIELDS = new Set(['via', 'from', 'to', 'call-id', 'cseq']);

/**
 * Unfolds header lines (RFC 3261 §7.3.1: CRLF followed by SP/HT continues the field). Past the cap
 * only the fields an answer copies are kept, and the result carries the error.
 */
function headerFields(head: string, startAt: number, config: GateConfig): { fields: Field[]; error?: Reject } {
  const fields: Field[] = [];
  let error: Reject | undefined;
  let count = 0;
  let skipping = false;
  let pos = startAt;
  while (pos < head.length) {
    let end = head.indexOf('\r\n', pos);
    if (end < 0) end = head.length;
    const line = head.slice(pos, end);
    pos = end + 2;
    const first = line.charCodeAt(0);
    if (first === 0x20 || first === 0x09) {
      const last = fields[fields.length - 1];
      if (!last) error ??= new Reject(400, 'continuation line before any header');
      else if (!skipping) last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    const rawName = colon < 0 ? '' : line.slice(0, colon).trimEnd();
    if (!isToken(rawName)) {
      error ??= new Reject(400, colon < 0 ? 'header line without a colon' : 'malformed header name');
      skipping = true;
      continue;
    }
    count++;
    if (count > config.maxHeaders) error ??= new Reject(400, `more than ${config.maxHeaders} header fields`);
    const lower = rawName.toLowerCase();
    const name = COMPACT[lower] ?? lower;
    skipping = error !== undefined && !ANSWER_FIELDS.has(name);
    if (!skipping) fields.push({ name, value: line.slice(colon + 1).trim() });
  }
  return error ? { fields, error } : { fields };
}

function all(fields: Field[], name: string): Field[] {
  return fields.filter((f) => f.name === name);
}

/** The single value of a header that must appear at most once (RFC 4475 §3.3.8, §3.3.9). */
function single(fields: Field[], name: string, required: boolean): string | undefined | Reject {
  const found = all(fields, name);
  if (found.length > 1) return new Reject(400, `more than one ${name}`);
  if (found.length === 0) return required ? new Reject(400, `missing ${name}`) : undefined;
  return found[0]?.value;
}

/** RFC 3261 §19.1.1 Request-URI check: 400 when malformed, 416 for a scheme other than sip/sips. */
function checkRequestUri(uri: string): Reject | undefined {
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    // RFC 4475 §3.1.2.7: <> around the Request-URI; no quote or control character belongs in it either
    if (c < 0x21 || c === 0x7f || c === 0x3c || c === 0x3e || c === 0x22) return new Reject(400, 'malformed Request-URI');
  }
  const colon = uri.indexOf(':');
  const scheme = colon > 0 ? uri.slice(0, colon) : '';
  if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)) return new Reject(400, 'Request-URI without a scheme');
  const lower = scheme.toLowerCase();
  if (lower !== 'sip' && lower !== 'sips') return new Reject(416, `unsupported URI scheme ${scheme}`);
  // userinfo ends at the first "@" (it may hold "?" and ";", RFC 4475 §3.1.1.2, §3.1.1.9)
  const rest = uri.slice(colon + 1);
  const at = rest.indexOf('@');
  const hostPart = at < 0 ? rest : rest.slice(at + 1);
  // RFC 4475 §3.1.2.11: headers (?...) have no place in a Request-URI (RFC 3261 §19.1.5)
  if (hostPart.includes('?')) return new Reject(400, 'Request-URI carries headers');
  const semi = hostPart.indexOf(';');
  const hostport = semi < 0 ? hostPart : hostPart.slice(0, semi);
  // host: [IPv6] (RFC 5118 §4.3, §4.10), a name or IPv4; then an optional port. RFC 5118 §4.2 (bare IPv6) fails here.
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$/.exec(hostport);
  if (!m) return new Reject(400, 'malformed host in Request-URI');
  return undefined;
}

function checkVia(fields: Field[], config: GateConfig, counts: { list: number }): Reject | undefined {
  const vias = all(fields, 'via');
  // §8.1.1.7: Via is mandatory; without one there is nowhere to answer (the caller drops the datagram).
  if (vias.length === 0) return new Reject(400, 'missing via');
  for (const f of vias) {
    const parts = splitTopLevel(f.value, ',');
    if (!parts) return new Reject(400, 'malformed Via');
    counts.list += parts.length;
    if (counts.list > config.maxListValues) return new Reject(400, 'too many list values');
    for (const p of parts) {
      const via = parseViaParm(p);
      if (!via) return new Reject(400, 'malformed Via');
      if (via.version !== '2.0') return new Reject(505, 'Via is not SIP/2.0');
    }
  }
  return undefined;
}

function checkAddresses(fields: Field[], config: GateConfig, counts: { list: number }): Reject | undefined {
  for (const name of ['to', 'from']) {
    const v = single(fields, name, true);
    if (v instanceof Reject) return v;
    if (!nameAddrValid(v as string)) return new Reject(400, `malformed ${name}`);
  }
  for (const name of ['contact', 'route', 'record-route']) {
    for (const f of all(fields, name)) {
      const n = nameAddrListValid(f.value, name === 'contact', config.maxListValues - counts.list);
      if (n < 0) return new Reject(400, `malformed ${name}`);
      counts.list += n;
      if (counts.list > config.maxListValues) return new Reject(400, 'too many list values');
    }
  }
  return undefined;
}

/** Call-ID, CSeq (§8.1.1.5: < 2^31, method equal to the request's), Max-Forwards (0-255). */
function checkScalars(fields: Field[], method: string | undefined): Reject | undefined {
  const callId = single(fields, 'call-id', true);
  if (callId instanceof Reject) return callId;
  if (!callId || /\s/.test(callId)) return new Reject(400, 'malformed Call-ID');
  const cseq = single(fields, 'cseq', true);
  if (cseq instanceof Reject) return cseq;
  const m = /^([0-9]{1,10})\s+(\S+)$/.exec(cseq as string);
  if (!m || Number(m[1]) > 0x7fffffff) return new Reject(400, 'malformed CSeq');
  if (method !== undefined && m[2] !== method) return new Reject(400, 'CSeq method does not match the request');
  const mf = single(fields, 'max-forwards', false);
  if (mf instanceof Reject) return mf;
  if (mf !== undefined && (!/^[0-9]{1,9}$/.test(mf) || Number(mf) > 255)) return new Reject(400, 'malformed Max-Forwards');
  return undefined;
}

/** RFC 3261 §18.3: one Content-Length, digits, not larger than what arrived (UDP). Returns the body. */
function checkBody(fields: Field[], rest: string): string | Reject {
  const cl = single(fields, 'content-length', false);
  if (cl instanceof Reject) return cl;
  if (cl === undefined) return rest; // RFC 2543 style (RFC 4475 §3.4.1): over UDP the body is the rest
  if (!/^[0-9]{1,9}$/.test(cl)) return new Reject(400, 'malformed Content-Length');
  const n = Number(cl);
  if (n > rest.length) return new Reject(400, 'Content-Length larger than the message body');
  return rest.slice(0, n);
}

/** An INVITE's body must be SDP, unencoded (§8.2.3: 415 with Accept / Accept-Encoding); Accept must allow SDP (406). */
function checkInviteBody(fields: Field[], body: string): Reject | undefined {
  if (body.length > 0) {
    const enc = single(fields, 'content-encoding', false);
    if (enc instanceof Reject) return enc;
    if (enc !== undefined && enc.trim().toLowerCase() !== 'identity') {
      return new Reject(415, 'unsupported Content-Encoding', ['Accept: application/sdp', 'Accept-Encoding: identity']);
    }
    const ct = single(fields, 'content-type', false);
    if (ct instanceof Reject) return ct;
    const type = (ct ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/sdp') return new Reject(415, 'body is not application/sdp', ['Accept: application/sdp']);
  }
  const accept = all(fields, 'accept');
  if (accept.length > 0) {
    const ranges = accept.flatMap((f) => f.value.split(',')).map((r) => (r.split(';')[0] ?? '').trim().toLowerCase());
    const sdpOk = ranges.some((r) => r === '' || r === 'application/sdp' || r === 'application/*' || r === '*/*');
    // RFC 4475 §3.3.15: an INVITE whose Accept excludes application/sdp
    if (!sdpOk) return new Reject(406, 'Accept excludes application/sdp', ['Accept: application/sdp']);
  }
  return undefined;
}

/**
 * True when a To value carries a tag header parameter. In name-addr form only what follows the ">"
 * counts: `<sip:bob@host;tag=1>` is a URI parameter and the To still needs our tag (§8.2.6.2).
 */
export function hasTagParam(to: string): boolean {
  const close = to.lastIndexOf('>');
  return /;\s*tag\s*=/i.test(close >= 0 ? to.slice(close + 1) : to);
}

/** A stateless error response copying Via, From, To (plus our tag), Call-ID and CSeq (§8.2.6.2). */
function buildResponse(fields: Field[], r: Reject, config: GateConfig): string {
  const lines = [`SIP/2.0 ${r.status} ${REASONS[r.status] ?? 'Error'}`];
  for (const f of all(fields, 'via')) lines.push(`Via: ${f.value}`);
  const from = all(fields, 'from');
  if (from.length === 1) lines.push(`From: ${from[0]?.value}`);
  const to = all(fields, 'to');
  if (to.length === 1) {
    const v = to[0]?.value ?? '';
    lines.push(hasTagParam(v) ? `To: ${v}` : `To: ${v};tag=${config.newTag()}`);
  }
  const callId = all(fields, 'call-id');
  if (callId.length === 1) lines.push(`Call-ID: ${callId[0]?.value}`);
  const cseq = all(fields, 'cseq');
  if (cseq.length === 1) lines.push(`CSeq: ${cseq[0]?.value}`);
  lines.push(...r.headers);
  if (r.status === 400 || r.status === 505) lines.push(`Warning: 399 - "${r.why.replace(/"/g, "'")}"`);
  lines.push('Content-Length: 0', '', '');
  return lines.join('\r\n');
}

const KEEPALIVE = /^[\r\n \t\0]*$/;

/** A CR not followed by LF, or an LF not preceded by CR (§7: lines end in CRLF). A scan, not a copy of the header. */
function hasBareCrOrLf(s: string): boolean {
  for (let i = s.indexOf('\r'); i >= 0; i = s.indexOf('\r', i + 1)) if (s.charCodeAt(i + 1) !== 10) return true;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) if (s.charCodeAt(i - 1) !== 13) return true;
  return false;
}

/**
 * Judges one datagram (as Latin-1 text: one char per byte). Linear in its length, which the size cap
 * bounds; the regular expressions here run on short, already delimited pieces and cannot backtrack far.
 */
export function gateDatagram(text: string, config: GateConfig): GateVerdict {
  if (text.length > config.maxBytes) return { action: 'drop', reason: `datagram of ${text.length} bytes over the ${config.maxBytes}-byte cap` };
  if (KEEPALIVE.test(text)) return { action: 'drop', reason: 'keep-alive' };
  // §7.5: empty lines before the start line are ignored
  let start = 0;
  while (text.startsWith('\r\n', start)) start += 2;
  const blank = text.indexOf('\r\n\r\n', start);
  const head = blank < 0 ? text.slice(start) : text.slice(start, blank);
  const rest = blank < 0 ? '' : text.slice(blank + 4);
  const lineEnd = head.indexOf('\r\n');
  const startLine = lineEnd < 0 ? head : head.slice(0, lineEnd);
  if (hasBareCrOrLf(head)) return { action: 'drop', reason: 'bare CR or LF in the header' };

  if (startLine.startsWith('SIP/')) return judgeResponse(startLine, head, lineEnd, rest, config, blank >= 0);

  // Request-Line = Method SP Request-URI SP SIP-Version (§7.1): exactly two single spaces (RFC 4475 §3.1.2.8-10)
  const parts = startLine.split(' ');
  const method = parts[0] ?? '';
  if (!isToken(method)) return { action: 'drop', reason: 'not a SIP message' };
  const parsed = headerFields(head, lineEnd < 0 ? head.length : lineEnd + 2, config);
  const fields = parsed.fields;
  const verdict = (r: Reject): GateVerdict => {
    if (method === 'ACK' || all(fields, 'via').length === 0) {
      return { action: 'drop', reason: `${r.status} ${r.why} (no way to answer)` };
    }
    return { action: 'reject', status: r.status, reason: r.why, method, response: buildResponse(fields, r, config) };
  };
  if (parts.length !== 3 || parts[1] === '' || parts[2] === '') return verdict(new Reject(400, 'malformed Request-Line'));
  const version = parts[2] as string;
  if (!/^SIP\/[0-9]{1,3}\.[0-9]{1,3}$/i.test(version)) return verdict(new Reject(400, 'malformed SIP-Version'));
  if (version.toUpperCase() !== 'SIP/2.0') return verdict(new Reject(505, `${version} not supported`));
  if (parsed.error) return verdict(parsed.error);
  if (blank < 0) return verdict(new Reject(400, 'no empty line after the header'));
  const counts = { list: 0 };
  const problem =
    checkVia(fields, config, counts) ??
    checkAddresses(fields, config, counts) ??
    checkScalars(fields, method) ??
    checkRequestUri(parts[1] as string);
  if (problem) return verdict(problem);
  const body = checkBody(fields, rest);
  if (body instanceof Reject) return verdict(body);
  if (!config.knownMethods.has(method)) return verdict(new Reject(501, `method ${method} not implemented`, [`Allow: ${config.allow}`]));
  if (method === 'INVITE') {
    const r = checkInviteBody(fields, body);
    if (r) return verdict(r);
  }
  return { action: 'pass', kind: 'request', method };
}

/** Responses are never answered: anything wrong drops them (RFC 3261 §18.1.2, §18.3). */
function judgeResponse(startLine: string, head: string, lineEnd: number, rest: string, config: GateConfig, hasBlank: boolean): GateVerdict {
  const m = /^SIP\/2\.0 ([1-6][0-9]{2}) /.exec(startLine);
  if (!m) return { action: 'drop', reason: 'malformed Status-Line' };
  if (!hasBlank || lineEnd < 0) return { action: 'drop', reason: 'response without an empty line' };
  const { fields, error } = headerFields(head, lineEnd + 2, config);
  if (error) return { action: 'drop', reason: `response: ${error.why}` };
  if (all(fields, 'via').length === 0) return { action: 'drop', reason: 'response without Via' };
  const counts = { list: 0 };
  const problem = checkVia(fields, config, counts) ?? checkAddresses(fields, config, counts) ?? checkScalars(fields, undefined);
  if (problem) return { action: 'drop', reason: `response: ${problem.why}` };
  const body = checkBody(fields, rest);
  if (body instanceof Reject) return { action: 'drop', reason: `response: ${body.why}` };
  return { action: 'pass', kind: 'response' };
}
