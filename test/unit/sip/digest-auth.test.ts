// Digest auth against the RFC 2617 / RFC 7616 worked examples, plus SIP cases cross-checked with node:crypto.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DigestNonceState,
  buildAuthorization,
  chooseChallenge,
  chooseChallengesPerRealm,
  computeDigestResponse,
  parseChallenge,
} from '../../../src-main/sip/digest-auth';
import type { DigestChallenge } from '../../../src-main/sip/digest-auth';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('RFC worked examples', () => {
  it('RFC 2617 §3.5 (Mufasa / Circle Of Life)', () => {
    const ch = parseChallenge({
      scheme: 'Digest',
      realm: '"testrealm@host.com"',
      qop: '"auth,auth-int"',
      nonce: '"dcd98b7102dd2f0e8b11d0f600bfb0c093"',
      opaque: '"5ccc069c403ebaf9f0171e9517f40e41"',
    });
    expect(ch).not.toBeNull();
    const auth = buildAuthorization(
      ch as DigestChallenge,
      { username: 'Mufasa', password: 'Circle Of Life' },
      { method: 'GET', uri: '/dir/index.html' },
      { nc: 1, cnonce: '0a4f113b' },
    );
    expect(auth).toEqual({
      scheme: 'Digest',
      username: '"Mufasa"',
      realm: '"testrealm@host.com"',
      nonce: '"dcd98b7102dd2f0e8b11d0f600bfb0c093"',
      uri: '"/dir/index.html"',
      response: '"6629fae49393a05397450978507c4ef1"',
      algorithm: 'MD5',
      qop: 'auth',
      nc: '00000001',
      cnonce: '"0a4f113b"',
      opaque: '"5ccc069c403ebaf9f0171e9517f40e41"',
    });
  });

  const rfc7616 = (algorithm: string) =>
    parseChallenge({
      scheme: 'Digest',
      realm: '"http-auth@example.org"',
      qop: '"auth, auth-int"',
      algorithm,
      nonce: '"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"',
      opaque: '"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    }) as DigestChallenge;
  const creds = { username: 'Mufasa', password: 'Circle of Life' };
  const req = { method: 'GET', uri: '/dir/index.html' };
  const state = { nc: 1, cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' };

  it('RFC 7616 §3.9.1 MD5', () => {
    const auth = buildAuthorization(rfc7616('MD5'), creds, req, state);
    expect(auth.response).toBe('"8ca523f5e9506fed4657c9700eebdbec"');
    expect(auth.algorithm).toBe('MD5');
    expect(auth.qop).toBe('auth');
  });

  it('RFC 7616 §3.9.1 SHA-256', () => {
    const auth = buildAuthorization(rfc7616('SHA-256'), creds, req, state);
    expect(auth.response).toBe('"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"');
    expect(auth.algorithm).toBe('SHA-256');
    expect(auth.opaque).toBe('"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"');
  });
});

describe('SIP REGISTER', () => {
  // A Kamailio-style 401 as the `sip` package parses it.
  const header = {
    scheme: 'Digest',
    realm: '"test.local"',
    nonce: '"Z2uS0Wdrkaem9DXaJTQ4oC2r/1TIl6Nr"',
    qop: '"auth"',
  };

  it('computes the response exactly as RFC 7616 §3.4.1 says (checked against node:crypto)', () => {
    const ch = parseChallenge(header) as DigestChallenge;
    const auth = buildAuthorization(ch, { username: 'alice', password: 's3cret' }, { method: 'REGISTER', uri: 'sip:test.local' }, { nc: 3, cnonce: 'abc123' });
    const ha1 = md5('alice:test.local:s3cret');
    const ha2 = md5('REGISTER:sip:test.local');
    expect(auth.response).toBe(`"${md5(`${ha1}:Z2uS0Wdrkaem9DXaJTQ4oC2r/1TIl6Nr:00000003:abc123:auth:${ha2}`)}"`);
    expect(auth.uri).toBe('"sip:test.local"');
    expect(auth.nc).toBe('00000003');
    expect(auth.opaque).toBeUndefined();
  });

  it('without qop falls back to RFC 2069 (no qop, nc, cnonce)', () => {
    const ch = parseChallenge({ scheme: 'Digest', realm: '"asterisk"', nonce: '"4b3c2a1f"' }) as DigestChallenge;
    expect(ch.algorithm).toBe('MD5');
    const auth = buildAuthorization(ch, { username: '1001', password: 'pw' }, { method: 'INVITE', uri: 'sip:1002@asterisk' }, { nc: 1, cnonce: 'zz' });
    expect(auth).not.toHaveProperty('qop');
    expect(auth).not.toHaveProperty('nc');
    expect(auth).not.toHaveProperty('cnonce');
    expect(auth.response).toBe(`"${md5(`${md5('1001:asterisk:pw')}:4b3c2a1f:${md5('INVITE:sip:1002@asterisk')}`)}"`);
  });

  it('auth-int only when auth is not offered, hashing the body', () => {
    const ch = parseChallenge({ ...header, qop: '"auth-int"' }) as DigestChallenge;
    const body = 'v=0\r\n';
    const auth = buildAuthorization(ch, { username: 'a', password: 'b' }, { method: 'INVITE', uri: 'sip:x@y', body }, { nc: 1, cnonce: 'c' });
    expect(auth.qop).toBe('auth-int');
    const ha2 = md5(`INVITE:sip:x@y:${md5(body)}`);
    expect(auth.response).toBe(`"${md5(`${md5('a:test.local:b')}:Z2uS0Wdrkaem9DXaJTQ4oC2r/1TIl6Nr:00000001:c:auth-int:${ha2}`)}"`);
  });

  it('SHA-256-sess binds H(A1) to nonce and cnonce (RFC 7616 §3.4.2)', () => {
    const ch = parseChallenge({ ...header, algorithm: 'SHA-256-sess' }) as DigestChallenge;
    const auth = buildAuthorization(ch, { username: 'a', password: 'b' }, { method: 'REGISTER', uri: 'sip:test.local' }, { nc: 1, cnonce: 'cn' });
    const n = 'Z2uS0Wdrkaem9DXaJTQ4oC2r/1TIl6Nr';
    const ha1 = sha256(`${sha256('a:test.local:b')}:${n}:cn`);
    expect(auth.response).toBe(`"${sha256(`${ha1}:${n}:00000001:cn:auth:${sha256('REGISTER:sip:test.local')}`)}"`);
    expect(auth.algorithm).toBe('SHA-256-sess');
  });

  it('escapes quotes and backslashes in quoted values', () => {
    const ch = parseChallenge(header) as DigestChallenge;
    const auth = buildAuthorization(ch, { username: 'we"ird\\user', password: 'p' }, { method: 'REGISTER', uri: 'sip:test.local' }, { nc: 1, cnonce: 'c' });
    expect(auth.username).toBe('"we\\"ird\\\\user"');
    const expected = computeDigestResponse({ algorithm: 'MD5', username: 'we"ird\\user', realm: 'test.local', password: 'p', nonce: 'Z2uS0Wdrkaem9DXaJTQ4oC2r/1TIl6Nr', method: 'REGISTER', uri: 'sip:test.local', qop: 'auth', nc: '00000001', cnonce: 'c' });
    expect(auth.response).toBe(`"${expected}"`);
  });
});

describe('parseChallenge', () => {
  it('reads stale=true in any case and quoting', () => {
    expect(parseChallenge({ scheme: 'Digest', realm: '"r"', nonce: '"n"', stale: 'TRUE' })?.stale).toBe(true);
    expect(parseChallenge({ scheme: 'Digest', realm: '"r"', nonce: '"n"', stale: '"true"' })?.stale).toBe(true);
    expect(parseChallenge({ scheme: 'Digest', realm: '"r"', nonce: '"n"', stale: 'false' })?.stale).toBe(false);
    expect(parseChallenge({ scheme: 'Digest', realm: '"r"', nonce: '"n"' })?.stale).toBe(false);
  });

  it('splits quoted and unquoted qop lists; parameter names and scheme are case-insensitive', () => {
    expect(parseChallenge({ scheme: 'digest', Realm: '"r"', NONCE: '"n"', QOP: '"auth-int, AUTH"' })?.qop).toEqual(['auth-int', 'auth']);
    expect(parseChallenge({ scheme: 'Digest', realm: '"r"', nonce: '"n"', qop: 'auth' })?.qop).toEqual(['auth']);
    expect(parseChallenge({ scheme: 'Digest', realm: '"r"', nonce: '"n"', algorithm: 'sha-256' })?.algorithm).toBe('SHA-256');
  });

  it('keeps opaque and domain, unescapes quoted-pairs', () => {
    const ch = parseChallenge({ scheme: 'Digest', realm: '"a\\"b"', nonce: '"n"', opaque: '""', domain: '"sip:ss1.example.com"' });
    expect(ch).toMatchObject({ realm: 'a"b', opaque: '', domain: 'sip:ss1.example.com' });
  });

  it('returns null for unknown algorithms, non-Digest schemes and missing realm/nonce', () => {
    expect(parseChallenge({ scheme: 'Digest', realm: '"r"', nonce: '"n"', algorithm: 'AKAv1-MD5' })).toBeNull();
    expect(parseChallenge({ scheme: 'Digest', realm: '"r"', nonce: '"n"', algorithm: 'SHA-512-256' })).toBeNull();
    expect(parseChallenge({ scheme: 'Basic', realm: '"r"' })).toBeNull();
    expect(parseChallenge({ scheme: 'Digest', nonce: '"n"' })).toBeNull();
    expect(parseChallenge({ scheme: 'Digest', realm: '"r"' })).toBeNull();
    expect(parseChallenge(null as unknown as Record<string, string>)).toBeNull();
  });
});

describe('chooseChallenge', () => {
  const md5Ch = { scheme: 'Digest', realm: '"r"', nonce: '"n1"', algorithm: 'MD5' };
  const shaCh = { scheme: 'Digest', realm: '"r"', nonce: '"n2"', algorithm: 'SHA-256' };

  it('prefers SHA-256 over MD5 whatever the order (RFC 8760 §2.4 local policy)', () => {
    expect(chooseChallenge([md5Ch, shaCh])?.nonce).toBe('n2');
    expect(chooseChallenge([shaCh, md5Ch])?.nonce).toBe('n2');
  });

  it('skips unsupported challenges and keeps the first among equals', () => {
    expect(chooseChallenge([{ scheme: 'Digest', realm: '"r"', nonce: '"x"', algorithm: 'SHA-512-256' }, md5Ch])?.nonce).toBe('n1');
    expect(chooseChallenge([md5Ch, { ...md5Ch, nonce: '"n3"' }])?.nonce).toBe('n1');
    expect(chooseChallenge([])).toBeNull();
    expect(chooseChallenge(undefined)).toBeNull();
  });

  it('one challenge per realm for multi-proxy 407s (RFC 3261 §22.3)', () => {
    const other = { scheme: 'Digest', realm: '"proxy2"', nonce: '"p2"' };
    expect(chooseChallengesPerRealm([md5Ch, other, shaCh]).map((c) => [c.realm, c.nonce])).toEqual([
      ['r', 'n2'],
      ['proxy2', 'p2'],
    ]);
  });
});

describe('DigestNonceState', () => {
  it('increments nc while a nonce is reused and restarts at 1 for a new nonce', () => {
    let i = 0;
    const st = new DigestNonceState(() => `c${++i}`);
    expect(st.next({ realm: 'r', nonce: 'a' })).toEqual({ nc: 1, cnonce: 'c1' });
    expect(st.next({ realm: 'r', nonce: 'a' })).toEqual({ nc: 2, cnonce: 'c2' });
    expect(st.next({ realm: 'r', nonce: 'b' }).nc).toBe(1);
    expect(st.next({ realm: 'r', nonce: 'a' }).nc).toBe(3);
    st.forget({ realm: 'r', nonce: 'a' });
    expect(st.next({ realm: 'r', nonce: 'a' }).nc).toBe(1);
  });

  it('authorize() puts the counted nc in the header and fresh random cnonces by default', () => {
    const st = new DigestNonceState();
    const ch = parseChallenge({ scheme: 'Digest', realm: '"r"', nonce: '"n"', qop: 'auth' }) as DigestChallenge;
    const a1 = st.authorize(ch, { username: 'u', password: 'p' }, { method: 'REGISTER', uri: 'sip:r' });
    const a2 = st.authorize(ch, { username: 'u', password: 'p' }, { method: 'REGISTER', uri: 'sip:r' });
    expect([a1.nc, a2.nc]).toEqual(['00000001', '00000002']);
    expect(a1.cnonce).toMatch(/^"[0-9a-f]{32}"$/);
    expect(a1.cnonce).not.toBe(a2.cnonce);
  });
});
