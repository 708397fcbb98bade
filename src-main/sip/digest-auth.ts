// SIP digest authentication, client side: challenge parsing, algorithm choice and the Authorization
// value (RFC 2617, RFC 7616, RFC 8760 for SIP). Pure: hashes come from @noble/hashes, so it also runs
// in the renderer.

import { md5 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: DigestAlgorithm;
  /** qop-options as offered, lower-cased ("auth", "auth-int"); absent = RFC 2069 mode. */
  qop?: string[];
  stale: boolean;
  domain?: string;
}

export interface DigestCredentials {
  username: string;
  password: string;
}

export interface DigestRequest {
  method: string;
  /** The digest-uri: the Request-URI of the request being authorised (RFC 3261 §22.4). */
  uri: string;
  /** Message body, hashed only for qop=auth-int. */
  body?: string;
}

export interface DigestNonceUse {
  /** nonce-count: 1 for the first use of a nonce (RFC 7616 §3.4). */
  nc: number;
  cnonce: string;
}

/** The `sip` package's parsed auth header: values still quoted as on the wire, names as sent. */
export type AuthHeader = Record<string, string | undefined>;

const ALGORITHMS: Record<string, DigestAlgorithm> = {
  md5: 'MD5',
  'md5-sess': 'MD5-sess',
  'sha-256': 'SHA-256',
  'sha-256-sess': 'SHA-256-sess',
};

/** Removes the quotes of a quoted-string and its quoted-pairs (RFC 7230 §3.2.6). */
export function unquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\(.)/g, '$1');
  return v;
}

/** Quotes a value; '"' and '\' become quoted-pairs. */
export function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** Lower-cases parameter names (RFC 7616 §3.3: they are case-insensitive) and unquotes values. */
function normalise(header: AuthHeader): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(header)) {
    if (typeof value === 'string') out.set(name.toLowerCase(), name === 'scheme' ? value : unquote(value));
  }
  return out;
}

/**
 * Reads one WWW-Authenticate / Proxy-Authenticate challenge. Null when it is not Digest, lacks realm
 * or nonce, or names an algorithm we do not implement (RFC 7616 §3.3: such a challenge is ignored).
 */
export function parseChallenge(header: AuthHeader): DigestChallenge | null {
  if (header === null || typeof header !== 'object') return null;
  const p = normalise(header);
  if ((p.get('scheme') ?? '').trim().toLowerCase() !== 'digest') return null;
  const realm = p.get('realm');
  const nonce = p.get('nonce');
  if (realm === undefined || nonce === undefined || nonce === '') return null;
  // RFC 7616 §3.3: absent algorithm means MD5.
  const algorithm = ALGORITHMS[(p.get('algorithm') ?? 'MD5').trim().toLowerCase()];
  if (!algorithm) return null;

  const ch: DigestChallenge = {
    realm,
    nonce,
    algorithm,
    stale: (p.get('stale') ?? '').trim().toLowerCase() === 'true',
  };
  const opaque = p.get('opaque');
  if (opaque !== undefined) ch.opaque = opaque;
  const domain = p.get('domain');
  if (domain !== undefined) ch.domain = domain;
  const qopText = p.get('qop');
  if (qopText !== undefined) {
    const qop = qopText
      .split(',')
      .map((q) => q.trim().toLowerCase())
      .filter((q) => q !== '');
    if (qop.length > 0) ch.qop = qop;
  }
  return ch;
}

function strength(a: DigestAlgorithm): number {
  return a.startsWith('SHA-256') ? 2 : 1;
}

/**
 * Picks one challenge. RFC 8760 §2.4 has the UAC use the topmost challenge it supports unless local
 * policy says otherwise; our policy is to prefer SHA-256 over MD5 and keep the server's order otherwise.
 */
export function chooseChallenge(headers: AuthHeader[] | undefined): DigestChallenge | null {
  let best: DigestChallenge | null = null;
  for (const h of headers ?? []) {
    const ch = parseChallenge(h);
    if (ch && (!best || strength(ch.algorithm) > strength(best.algorithm))) best = ch;
  }
  return best;
}

/**
 * One challenge per realm (RFC 3261 §22.3: a 407 may carry challenges from several proxies, and the
 * UAC answers each realm), preferring SHA-256 within a realm; in first-seen realm order.
 */
export function chooseChallengesPerRealm(headers: AuthHeader[] | undefined): DigestChallenge[] {
  const byRealm = new Map<string, DigestChallenge>();
  for (const h of headers ?? []) {
    const ch = parseChallenge(h);
    if (!ch) continue;
    const prev = byRealm.get(ch.realm);
    if (!prev || strength(ch.algorithm) > strength(prev.algorithm)) byRealm.set(ch.realm, ch);
  }
  return [...byRealm.values()];
}

function hashHex(algorithm: DigestAlgorithm, data: string): string {
  const bytes = utf8ToBytes(data);
  return bytesToHex(algorithm.startsWith('SHA-256') ? sha256(bytes) : md5(bytes));
}

/** nc as 8 lower-case hex digits (RFC 7616 §3.4). */
export function formatNonceCount(nc: number): string {
  return (Math.max(1, Math.floor(nc)) >>> 0).toString(16).padStart(8, '0');
}

/** Which qop we answer with: auth when offered, auth-int only when auth is not, none if none offered. */
export function selectQop(ch: DigestChallenge): 'auth' | 'auth-int' | undefined {
  if (!ch.qop) return undefined;
  if (ch.qop.includes('auth')) return 'auth';
  if (ch.qop.includes('auth-int')) return 'auth-int';
  return undefined;
}

export interface DigestResponseInput {
  algorithm: DigestAlgorithm;
  username: string;
  realm: string;
  password: string;
  nonce: string;
  method: string;
  uri: string;
  qop?: 'auth' | 'auth-int';
  /** Formatted nonce-count ("00000001"); needed with qop. */
  nc?: string;
  cnonce?: string;
  body?: string;
}

/** The request-digest of RFC 7616 §3.4.1 (with qop) or RFC 2617 §3.2.2.1 (RFC 2069 mode, no qop). */
export function computeDigestResponse(i: DigestResponseInput): string {
  const h = (s: string): string => hashHex(i.algorithm, s);
  // RFC 7616 §3.4.2: A1 for the -sess variants binds the session key to nonce and cnonce.
  let ha1 = h(`${i.username}:${i.realm}:${i.password}`);
  if (i.algorithm.endsWith('-sess')) ha1 = h(`${ha1}:${i.nonce}:${i.cnonce ?? ''}`);
  // RFC 7616 §3.4.3: A2 includes the body hash only for auth-int.
  const a2 = i.qop === 'auth-int' ? `${i.method}:${i.uri}:${h(i.body ?? '')}` : `${i.method}:${i.uri}`;
  const ha2 = h(a2);
  if (i.qop) return h(`${ha1}:${i.nonce}:${i.nc ?? '00000001'}:${i.cnonce ?? ''}:${i.qop}:${ha2}`);
  return h(`${ha1}:${i.nonce}:${ha2}`);
}

/**
 * The Authorization / Proxy-Authorization value as an object for the `sip` stringifier. Quoting as
 * RFC 7616 §3.4 requires: username, realm, nonce, uri, response, cnonce, opaque quoted; algorithm,
 * qop and nc are tokens and stay unquoted.
 */
export function buildAuthorization(
  ch: DigestChallenge,
  creds: DigestCredentials,
  req: DigestRequest,
  state: DigestNonceUse,
): Record<string, string> {
  const qop = selectQop(ch);
  const nc = formatNonceCount(state.nc);
  // A cnonce is needed with qop, and for -sess even without qop (it is part of A1).
  const useCnonce = qop !== undefined || ch.algorithm.endsWith('-sess');
  const response = computeDigestResponse({
    algorithm: ch.algorithm,
    username: creds.username,
    realm: ch.realm,
    password: creds.password,
    nonce: ch.nonce,
    method: req.method,
    uri: req.uri,
    ...(qop ? { qop, nc } : {}),
    ...(useCnonce ? { cnonce: state.cnonce } : {}),
    ...(req.body !== undefined ? { body: req.body } : {}),
  });
  const out: Record<string, string> = {
    scheme: 'Digest',
    username: quote(creds.username),
    realm: quote(ch.realm),
    nonce: quote(ch.nonce),
    uri: quote(req.uri),
    response: quote(response),
    algorithm: ch.algorithm,
  };
  if (qop) {
    out.qop = qop;
    out.nc = nc;
  }
  if (useCnonce) out.cnonce = quote(state.cnonce);
  if (ch.opaque !== undefined) out.opaque = quote(ch.opaque);
  return out;
}

/** A fresh client nonce: 16 random bytes as hex (Web Crypto, available in Node and browsers). */
export function generateCnonce(): string {
  return bytesToHex(randomBytes(16));
}

/**
 * Tracks nonce-counts (RFC 7616 §3.4: nc counts the requests sent with one nonce; a new nonce starts
 * at 1 again). One instance per credential set; it keeps a few recent nonces per realm.
 */
export class DigestNonceState {
  private readonly counts = new Map<string, number>();
  private readonly makeCnonce: () => string;

  constructor(makeCnonce: () => string = generateCnonce) {
    this.makeCnonce = makeCnonce;
  }

  /** The nc and a fresh cnonce for the next request that uses this challenge's nonce. */
  next(ch: Pick<DigestChallenge, 'realm' | 'nonce'>): DigestNonceUse {
    const key = `${ch.realm}\u0000${ch.nonce}`;
    const nc = (this.counts.get(key) ?? 0) + 1;
    this.counts.delete(key);
    this.counts.set(key, nc);
    // Servers rotate nonces; keep the map from growing forever (oldest first in Map order).
    while (this.counts.size > 16) {
      const oldest = this.counts.keys().next().value;
      if (oldest === undefined) break;
      this.counts.delete(oldest);
    }
    return { nc, cnonce: this.makeCnonce() };
  }

  /** Forget a nonce (e.g. after stale=true or a 401 that rejected it). */
  forget(ch: Pick<DigestChallenge, 'realm' | 'nonce'>): void {
    this.counts.delete(`${ch.realm}\u0000${ch.nonce}`);
  }

  /** Convenience: nc bookkeeping plus buildAuthorization in one call. */
  authorize(ch: DigestChallenge, creds: DigestCredentials, req: DigestRequest): Record<string, string> {
    return buildAuthorization(ch, creds, req, this.next(ch));
  }
}
