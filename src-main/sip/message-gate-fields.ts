// Field-level checks for the message gate: Via, name-addr/addr-spec (To, From, Contact, Route) and
// generic params, by hand-written linear scans (no backtracking regular expressions on attacker text).

/** RFC 3261 §25.1 token characters, as a lookup table (this runs on every byte of every datagram). */
const TOKEN = new Uint8Array(128);
for (const ch of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.!%*_+`'~") TOKEN[ch.charCodeAt(0)] = 1;

export function isTokenChar(c: number): boolean {
  return c < 128 && TOKEN[c] === 1;
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false;
  return true;
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** Index just past the closing quote of the quoted string opening at `i` (§25.1 quoted-pair aware), or -1. */
export function endOfQuoted(s: string, i: number): number {
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x5c) j++;
    else if (c === 0x22) return j + 1;
  }
  return -1;
}

/**
 * Splits at `sep` outside quoted strings and <...>; null when a quote or an angle bracket is left open
 * (RFC 4475 §3.1.2.6: an unterminated quoted string is a 400).
 */
export function splitTopLevel(s: string, sep: string): string[] | null {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  const code = sep.charCodeAt(0);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 && !angle) {
      const end = endOfQuoted(s, i);
      if (end < 0) return null;
      i = end - 1;
    } else if (c === 0x3c) {
      if (angle) return null;
      angle = true;
    } else if (c === 0x3e) {
      if (!angle) return null;
      angle = false;
    } else if (c === code && !angle) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  if (angle) return null;
  out.push(s.slice(start));
  return out;
}

function isParamValueChar(c: number): boolean {
  // token, plus the IPv6 reference characters RFC 5118 §4.5 shows in a Via received parameter
  return isTokenChar(c) || c === 0x3a || c === 0x5b || c === 0x5d;
}

/** `*( SEMI generic-param )` (RFC 3261 §25.1), LWS allowed around ";" and "="; `s` begins at the first ";". */
export function paramsValid(s: string): boolean {
  const t = s.trim();
  if (t === '') return true;
  if (!t.startsWith(';')) return false;
  const parts = splitTopLevel(t.slice(1), ';');
  if (!parts) return false;
  for (const raw of parts) {
    const p = raw.trim();
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim();
    if (!isToken(name)) return false;
    if (eq < 0) continue;
    const value = p.slice(eq + 1).trim();
    if (value.length === 0) return false;
    if (value.charCodeAt(0) === 0x22) {
      if (endOfQuoted(value, 0) !== value.length) return false;
      continue;
    }
    for (let i = 0; i < value.length; i++) if (!isParamValueChar(value.charCodeAt(i))) return false;
  }
  return true;
}

/** A URI as it may appear in a header: a scheme, a colon, and no white space (RFC 3986 §3.1, RFC 3261 §25.1). */
export function uriShapeValid(uri: string): boolean {
  const colon = uri.indexOf(':');
  if (colon < 1) return false;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(uri.slice(0, colon))) return false;
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f || c === 0x22 || c === 0x3c || c === 0x3e) return false;
  }
  return true;
}

/** `*(token LWS)` display name, unquoted: RFC 4475 §3.1.2.15 (a comma in it) is a 400. */
function tokensDisplayName(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isTokenChar(c) && !isWs(c)) return false;
  }
  return true;
}

/**
 * One name-addr or addr-spec with its header params (RFC 3261 §20.10, §20.20, §20.39):
 * quotes closed, a display name of tokens or quoted, no white space inside <...> (RFC 4475 §3.1.2.14),
 * and an addr-spec without <> may carry no "?headers" or comma (§20: else it must be a name-addr;
 * RFC 4475 §3.1.2.13).
 */
export function nameAddrValid(value: string): boolean {
  const v = value.trim();
  if (v.length === 0) return false;
  let i = 0;
  if (v.charCodeAt(0) === 0x22) {
    const end = endOfQuoted(v, 0);
    if (end < 0) return false;
    i = end;
    while (i < v.length && isWs(v.charCodeAt(i))) i++;
    if (v.charCodeAt(i) !== 0x3c) return false;
  } else {
    const lt = v.indexOf('<');
    const semi = v.indexOf(';');
    if (lt < 0 || (semi >= 0 && semi < lt)) {
      // addr-spec: the URI ends at the first ";" (what follows are header params, §20.10)
      const uriEnd = semi < 0 ? v.length : semi;
      const uri = v.slice(0, uriEnd).trim();
      if (!uriShapeValid(uri)) return false;
      if (uri.includes('?') || uri.includes(',')) return false;
      return paramsValid(v.slice(uriEnd));
    }
    if (!tokensDisplayName(v.slice(0, lt))) return false;
    i = lt;
  }
  const gt = v.indexOf('>', i);
  if (gt < 0) return false;
  const uri = v.slice(i + 1, gt);
  if (!uriShapeValid(uri)) return false;
  return paramsValid(v.slice(gt + 1));
}

/**
 * A list header of name-addrs (Contact, Route, Record-Route): the number of elements, -1 if one is
 * malformed; past `max` elements nothing more is looked at (the caller rejects the message anyway).
 */
export function nameAddrListValid(value: string, allowStar: boolean, max = Infinity): number {
  if (allowStar && value.trim() === '*') return 1;
  const parts = splitTopLevel(value, ',');
  if (!parts) return -1;
  if (parts.length > max) return parts.length;
  for (const p of parts) if (!nameAddrValid(p)) return -1;
  return parts.length;
}

/** How a Via value reads (RFC 3261 §20.42, LWS allowed around "/"); null when malformed. */
export interface ViaInfo {
  version: string;
}

/** Parses one via-parm; null if malformed. */
export function parseViaParm(raw: string): ViaInfo | null {
  const s = raw.trim();
  let i = 0;
  const skipWs = (): void => {
    while (i < s.length && isWs(s.charCodeAt(i))) i++;
  };
  const readToken = (): string => {
    const start = i;
    while (i < s.length && isTokenChar(s.charCodeAt(i))) i++;
    return s.slice(start, i);
  };
  const name = readToken();
  if (!isToken(name)) return null;
  skipWs();
  if (s[i] !== '/') return null;
  i++;
  skipWs();
  const version = readToken();
  if (version === '') return null;
  skipWs();
  if (s[i] !== '/') return null;
  i++;
  skipWs();
  const transport = readToken();
  if (transport === '') return null;
  const before = i;
  skipWs();
  if (i === before) return null;
  // sent-by: host [ ":" port ]
  if (s[i] === '[') {
    const close = s.indexOf(']', i);
    if (close < 0) return null;
    for (let j = i + 1; j < close; j++) {
      const c = s.charCodeAt(j);
      const hex = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
      if (!hex && c !== 0x3a && c !== 0x2e) return null;
    }
    i = close + 1;
  } else {
    const start = i;
    while (i < s.length && /[A-Za-z0-9.-]/.test(s[i] as string)) i++;
    if (i === start) return null;
  }
  skipWs();
  if (s[i] === ':') {
    i++;
    skipWs();
    const start = i;
    while (i < s.length && s.charCodeAt(i) >= 0x30 && s.charCodeAt(i) <= 0x39) i++;
    if (i === start || i - start > 5) return null;
  }
  if (!paramsValid(s.slice(i))) return null;
  return name.toUpperCase() === 'SIP' ? { version } : null;
}
