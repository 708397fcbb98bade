// SIP/SIPS URI and name-addr parsing and formatting (RFC 3261 §19.1 and the §25.1 grammar), pure.

export interface SipUri {
  scheme: 'sip' | 'sips';
  /** As on the wire (still %-escaped); may contain ';' user parameters (RFC 3261 §19.1.1). */
  user?: string;
  /** Deprecated by RFC 3261 §19.1.1 but still legal in the grammar. */
  password?: string;
  /** Hostname, IPv4 address, or IPv6 reference in brackets ("[2001:db8::1]"). */
  host: string;
  port?: number;
  /** uri-parameters; names lower-cased (compared case-insensitively, §19.1.4); null = no value (";lr"). */
  params: Record<string, string | null>;
  headers: Record<string, string>;
}

export interface HostPort {
  /** IPv6 addresses are returned as references in brackets, as they appear in a SIP URI. */
  host: string;
  port?: number;
}

export interface NameAddr {
  displayName?: string;
  uri: string;
  /** Header parameters after the name-addr (tag, expires, ...); names lower-cased. */
  params: Record<string, string | null>;
}

// RFC 3261 §25.1 character classes (escaped "%XX" is handled separately).
const UNRESERVED = "A-Za-z0-9\\-_.!~*'()";
const USER_CHARS = new RegExp(`^(?:[${UNRESERVED}&=+$,;?/]|%[0-9A-Fa-f]{2})+$`);
const PASSWORD_CHARS = new RegExp(`^(?:[${UNRESERVED}&=+$,]|%[0-9A-Fa-f]{2})*$`);
const PARAM_CHARS = new RegExp(`^(?:[${UNRESERVED}\\[\\]/:&+$]|%[0-9A-Fa-f]{2})+$`);
const HNAME_CHARS = new RegExp(`^(?:[${UNRESERVED}\\[\\]/?:+$]|%[0-9A-Fa-f]{2})+$`);
const HVALUE_CHARS = new RegExp(`^(?:[${UNRESERVED}\\[\\]/?:+$]|%[0-9A-Fa-f]{2})*$`);
const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function isIPv4(s: string): boolean {
  const m = IPV4.exec(s);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}

/** RFC 4291 §2.2 text forms: eight groups, one "::" at most, optionally an IPv4 tail. */
export function isIPv6(s: string): boolean {
  if (s.length < 2 || s.length > 45 || !/^[0-9A-Fa-f:.]+$/.test(s)) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')));
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] ?? '';
    if (i === groups.length - 1 && g.includes('.')) {
      // The IPv4 tail must be last in the text, not just last among groups.
      if (!isIPv4(g) || !s.endsWith(g)) return false;
      count += 2;
    } else if (/^[0-9A-Fa-f]{1,4}$/.test(g)) {
      count += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** A host as allowed in a SIP URI: hostname, IPv4address or IPv6reference (RFC 3261 §25.1). */
export function isValidHost(host: string): boolean {
  if (host.startsWith('[')) return host.endsWith(']') && isIPv6(host.slice(1, -1));
  return isIPv4(host) || (host.length <= 253 && HOSTNAME.test(host));
}

function parsePort(s: string): number | null {
  if (!/^\d{1,5}$/.test(s)) return null;
  const port = Number(s);
  return port >= 1 && port <= 65535 ? port : null;
}

/**
 * "host", "host:port", "[v6]", "[v6]:port"; a bare IPv6 address (several colons, no brackets) is
 * accepted as a host without port and returned in brackets. Null when malformed.
 */
export function parseHostPort(s: string): HostPort | null {
  const text = s.trim();
  if (text === '') return null;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    const host = text.slice(0, close + 1);
    if (!isValidHost(host)) return null;
    const rest = text.slice(close + 1);
    if (rest === '') return { host };
    if (!rest.startsWith(':')) return null;
    const port = parsePort(rest.slice(1));
    return port === null ? null : { host, port };
  }
  const colons = text.split(':').length - 1;
  if (colons > 1) return isIPv6(text) ? { host: `[${text}]` } : null;
  const [host = '', portText] = text.split(':');
  if (!isValidHost(host)) return null;
  if (portText === undefined) return { host };
  const port = parsePort(portText);
  return port === null ? null : { host, port };
}

export function formatHostPort(hp: HostPort): string {
  const host = hp.host.includes(':') && !hp.host.startsWith('[') ? `[${hp.host}]` : hp.host;
  return hp.port === undefined ? host : `${host}:${hp.port}`;
}

/** Percent-encodes (UTF-8) every character the class does not allow; existing %XX escapes are kept. */
function escapeWith(s: string, allowed: RegExp): string {
  let out = '';
  const chars = Array.from(s);
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] ?? '';
    if (c === '%' && /^[0-9A-Fa-f]{2}$/.test((chars[i + 1] ?? '') + (chars[i + 2] ?? ''))) {
      out += c;
    } else if (c !== '%' && allowed.test(c)) {
      out += c;
    } else {
      for (const b of new TextEncoder().encode(c)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Escapes a user part for a SIP URI (e.g. "#" -> "%23", RFC 3261 §19.1.2). */
export function escapeUser(user: string): string {
  return escapeWith(user, new RegExp(`^[${UNRESERVED}&=+$,;?/]$`));
}

function escapeParam(s: string): string {
  return escapeWith(s, new RegExp(`^[${UNRESERVED}\\[\\]/:&+$]$`));
}

function escapeHeader(s: string): string {
  return escapeWith(s, new RegExp(`^[${UNRESERVED}\\[\\]/?:+$]$`));
}

function parseParamList(text: string, into: Record<string, string | null>): boolean {
  for (const part of text.split(';')) {
    if (part === '') return false;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? null : part.slice(eq + 1);
    if (!PARAM_CHARS.test(name) || (value !== null && !PARAM_CHARS.test(value))) return false;
    into[name.toLowerCase()] = value;
  }
  return true;
}

/** Parses a sip: or sips: URI (RFC 3261 §19.1.1). Returns null for anything malformed. */
export function parseSipUri(s: string): SipUri | null {
  if (typeof s !== 'string') return null;
  const text = s.trim();
  // Whitespace and controls never appear inside a URI (RFC 3261 §25.1); catching them here also
  // keeps a pasted value from smuggling a CRLF into a header.
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(text)) return null;
  const m = /^(sips?):(.*)$/i.exec(text);
  if (!m) return null;
  const scheme = (m[1] ?? '').toLowerCase() as 'sip' | 'sips';
  let rest = m[2] ?? '';

  const headers: Record<string, string> = {};
  const q = rest.indexOf('?');
  if (q >= 0) {
    for (const h of rest.slice(q + 1).split('&')) {
      const eq = h.indexOf('=');
      if (eq <= 0) return null;
      const name = h.slice(0, eq);
      const value = h.slice(eq + 1);
      if (!HNAME_CHARS.test(name) || !HVALUE_CHARS.test(value)) return null;
      headers[name] = value;
    }
    rest = rest.slice(0, q);
  }

  // '@' cannot appear unescaped in host or uri-parameters, so the last one ends the userinfo.
  let user: string | undefined;
  let password: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    const userinfo = rest.slice(0, at);
    rest = rest.slice(at + 1);
    // The password follows the first ':' (a user part cannot contain ':').
    const colon = userinfo.indexOf(':');
    user = colon < 0 ? userinfo : userinfo.slice(0, colon);
    if (colon >= 0) {
      password = userinfo.slice(colon + 1);
      if (!PASSWORD_CHARS.test(password)) return null;
    }
    if (!USER_CHARS.test(user)) return null;
  }

  const semi = rest.indexOf(';');
  const hostport = semi < 0 ? rest : rest.slice(0, semi);
  const params: Record<string, string | null> = {};
  if (semi >= 0 && !parseParamList(rest.slice(semi + 1), params)) return null;

  // Inside a URI an IPv6 address must be bracketed (§19.1.1), so no bare-v6 leniency here.
  if (!hostport.startsWith('[') && hostport.split(':').length > 2) return null;
  const hp = parseHostPort(hostport);
  if (!hp) return null;

  const uri: SipUri = { scheme, host: hp.host, params, headers };
  if (user !== undefined) uri.user = user;
  if (password !== undefined) uri.password = password;
  if (hp.port !== undefined) uri.port = hp.port;
  return uri;
}

/** Formats a SipUri; characters not allowed in a component are %-escaped. */
export function formatSipUri(u: SipUri): string {
  let s = `${u.scheme}:`;
  if (u.user !== undefined && u.user !== '') {
    s += escapeUser(u.user);
    if (u.password !== undefined) s += `:${escapeWith(u.password, new RegExp(`^[${UNRESERVED}&=+$,]$`))}`;
    s += '@';
  }
  s += formatHostPort({ host: u.host, ...(u.port !== undefined ? { port: u.port } : {}) });
  for (const [name, value] of Object.entries(u.params)) {
    s += value === null ? `;${escapeParam(name)}` : `;${escapeParam(name)}=${escapeParam(value)}`;
  }
  const hs = Object.entries(u.headers).map(([n, v]) => `${escapeHeader(n)}=${escapeHeader(v)}`);
  if (hs.length > 0) s += `?${hs.join('&')}`;
  return s;
}

/**
 * RFC 3261 §25.1 quoted-string: '"' and '\' become quoted-pairs. CR and LF cannot appear in a
 * quoted-string at all (they would end the header), so they become spaces. UTF-8 is allowed as is.
 */
export function quoteDisplayName(name: string): string {
  const cleaned = name.replace(/[\r\n]+/g, ' ');
  return `"${cleaned.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Inverse of quoteDisplayName; an unquoted token sequence is returned trimmed. */
export function unquoteDisplayName(text: string): string {
  const t = text.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, '$1');
  return t;
}

function formatHeaderParams(params?: Record<string, string | null | undefined>): string {
  if (!params) return '';
  let s = '';
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    s += value === null ? `;${name}` : `;${name}=${value}`;
  }
  return s;
}

/** `"Display" <uri>;p=v`: always the name-addr form, so URI parameters never leak into the header. */
export function formatNameAddr(
  displayName: string | undefined,
  uri: string,
  params?: Record<string, string | null | undefined>,
): string {
  const name = displayName !== undefined && displayName.trim() !== '' ? `${quoteDisplayName(displayName)} ` : '';
  return `${name}<${uri}>${formatHeaderParams(params)}`;
}

/**
 * Parses a name-addr or addr-spec (From/To/Contact value, RFC 3261 §20.10). Without angle brackets,
 * everything after the first ';' is a header parameter (§20.10). Null when malformed.
 */
export function parseNameAddr(s: string): NameAddr | null {
  if (typeof s !== 'string') return null;
  const text = s.trim();
  let displayName: string | undefined;
  let uri: string;
  let after: string;
  const lt = findUnquoted(text, '<');
  if (lt >= 0) {
    const gt = text.indexOf('>', lt);
    if (gt < 0) return null;
    const name = unquoteDisplayName(text.slice(0, lt));
    if (name !== '') displayName = name;
    uri = text.slice(lt + 1, gt).trim();
    after = text.slice(gt + 1).trim();
  } else {
    const semi = text.indexOf(';');
    uri = semi < 0 ? text : text.slice(0, semi);
    after = semi < 0 ? '' : text.slice(semi);
  }
  if (uri === '' || /\s/.test(uri)) return null;
  const params: Record<string, string | null> = {};
  if (after !== '') {
    if (!after.startsWith(';')) return null;
    for (const part of after.slice(1).split(';')) {
      const p = part.trim();
      if (p === '') return null;
      const eq = p.indexOf('=');
      params[(eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase()] = eq < 0 ? null : p.slice(eq + 1).trim();
    }
  }
  return displayName === undefined ? { uri, params } : { displayName, uri, params };
}

function findUnquoted(text: string, ch: string): number {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (!quoted && c === ch) return i;
  }
  return -1;
}
