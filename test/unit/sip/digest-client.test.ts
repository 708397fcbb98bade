// The RFC 3261 §22 client: one credentials header per accepted realm, kept across challenges, nonce-count
// on reuse, wrong password told from a new or stale nonce, auth-int over the real body.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DigestClient, credentialsOf, type AuthRound } from '../../../src-main/sip/digest-client';
import { DigestNonceState } from '../../../src-main/sip/digest-auth';
import { selectChallenges, type AuthPolicy } from '../../../src-main/sip/auth-policy';
import type { SipAuthHeader, SipResponse } from '../../../src-main/sip/sip-message';

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
const unq = (s: string | undefined): string => (s ?? '').replace(/^"|"$/g, '');

const policy: AuthPolicy = { realms: ['example.com', 'sbc.example.net'], refuseMd5WithoutQop: false };
const registrar = { host: 'example.com', accountHop: true };

function response(status: 401 | 407, challenges: { www?: SipAuthHeader[]; proxy?: SipAuthHeader[] }): SipResponse {
  return {
    status,
    reason: status === 401 ? 'Unauthorized' : 'Proxy Authentication Required',
    headers: {
      via: [],
      to: { uri: 'sip:bob@example.com', params: { tag: 't' } },
      from: { uri: 'sip:alice@example.com', params: { tag: 'f' } },
      'call-id': 'c',
      cseq: { seq: 1, method: 'INVITE' },
      ...(challenges.www ? { 'www-authenticate': challenges.www } : {}),
      ...(challenges.proxy ? { 'proxy-authenticate': challenges.proxy } : {}),
    },
  };
}

const digest = (realm: string, nonce: string, extra: Record<string, string> = {}): SipAuthHeader => ({
  scheme: 'Digest',
  realm: `"${realm}"`,
  nonce: `"${nonce}"`,
  qop: '"auth"',
  algorithm: 'MD5',
  ...extra,
});

function client(): DigestClient {
  let n = 0;
  return new DigestClient({ username: 'alice', password: 'secret' }, policy, new DigestNonceState(() => `cn${++n}`));
}

describe('DigestClient', () => {
  it('SBC 407 then PBX 401: the retry carries both, each with a correct digest (RFC 3261 §22.3)', () => {
    const c = client();
    const round: AuthRound = new Map();
    expect(c.onChallenge(response(407, { proxy: [digest('sbc.example.net', 's1')] }), registrar, round)).toEqual({ retry: true });
    const first = c.headersFor({ method: 'INVITE', uri: 'sip:bob@example.com', body: 'v=0' });
    expect(first.authorization).toBeUndefined();
    expect(first['proxy-authorization']).toHaveLength(1);

    expect(c.onChallenge(response(401, { www: [digest('example.com', 'p1')] }), registrar, round)).toEqual({ retry: true });
    const both = c.headersFor({ method: 'INVITE', uri: 'sip:bob@example.com', body: 'v=0' });
    const proxy = both['proxy-authorization']?.[0];
    const www = both.authorization?.[0];
    expect(unq(proxy?.realm)).toBe('sbc.example.net');
    expect(unq(www?.realm)).toBe('example.com');
    const ha2 = md5('INVITE:sip:bob@example.com');
    for (const [h, realm, nonce] of [[proxy, 'sbc.example.net', 's1'], [www, 'example.com', 'p1']] as const) {
      const ha1 = md5(`alice:${realm}:secret`);
      expect(unq(h?.response)).toBe(md5(`${ha1}:${nonce}:${h?.nc}:${unq(h?.cnonce)}:auth:${ha2}`));
    }
    // The SBC nonce is used for the second time: nc 2 (RFC 7616 §3.4); the PBX nonce for the first.
    expect(proxy?.nc).toBe('00000002');
    expect(www?.nc).toBe('00000001');
  });

  it('one response with challenges of two realms gets one header each; a foreign realm among them gets none', () => {
    const c = client();
    const round: AuthRound = new Map();
    const res = response(407, { proxy: [digest('sbc.example.net', 'a'), digest('attacker.example', 'x'), digest('example.com', 'b')] });
    expect(c.onChallenge(res, registrar, round)).toEqual({ retry: true });
    const h = c.headersFor({ method: 'INVITE', uri: 'sip:bob@example.com' });
    expect(h['proxy-authorization']?.map((v) => unq(v.realm))).toEqual(['sbc.example.net', 'example.com']);
  });

  it('the same realm challenging again in one round is a wrong password; stale=true is answered (at most 3 times)', () => {
    const c = client();
    const round: AuthRound = new Map();
    const res = (nonce: string, stale = false) => response(401, { www: [digest('example.com', nonce, stale ? { stale: 'true' } : {})] });
    expect(c.onChallenge(res('n1'), registrar, round)).toEqual({ retry: true });
    expect(c.onChallenge(res('n2'), registrar, round)).toEqual({ fail: 'rejected', reason: '401 Unauthorized (wrong password?)' });
    const stale: AuthRound = new Map();
    expect(c.onChallenge(res('m1'), registrar, stale)).toEqual({ retry: true });
    expect(c.onChallenge(res('m2', true), registrar, stale)).toEqual({ retry: true });
    expect(c.onChallenge(res('m3', true), registrar, stale)).toEqual({ retry: true });
    expect(c.onChallenge(res('m4', true), registrar, stale)).toMatchObject({ fail: 'rejected' });
  });

  it('a new round (a refresh with cached credentials) answers a new nonce: a restarted server is not a wrong password', () => {
    const c = client();
    expect(c.onChallenge(response(401, { www: [digest('example.com', 'before')] }), registrar, new Map())).toEqual({ retry: true });
    expect(unq(c.headersFor({ method: 'REGISTER', uri: 'sip:example.com' }).authorization?.[0]?.nonce)).toBe('before');
    const refresh: AuthRound = new Map();
    expect(c.onChallenge(response(401, { www: [digest('example.com', 'after-restart')] }), registrar, refresh)).toEqual({ retry: true });
    const h = c.headersFor({ method: 'REGISTER', uri: 'sip:example.com' }).authorization?.[0];
    expect(unq(h?.nonce)).toBe('after-restart');
    expect(h?.nc).toBe('00000001');
  });

  it('nc counts the uses of one nonce, cnonce is fresh each time', () => {
    const c = client();
    c.onChallenge(response(401, { www: [digest('example.com', 'n')] }), registrar, new Map());
    const uses = [1, 2, 3].map(() => c.headersFor({ method: 'REGISTER', uri: 'sip:example.com' }).authorization?.[0]);
    expect(uses.map((u) => u?.nc)).toEqual(['00000001', '00000002', '00000003']);
    expect(new Set(uses.map((u) => u?.cnonce)).size).toBe(3);
  });

  it('qop=auth preferred when both are offered; auth-int alone hashes the body that is sent', () => {
    const c = client();
    c.onChallenge(response(401, { www: [digest('example.com', 'both', { qop: '"auth-int,auth"' })] }), registrar, new Map());
    expect(c.headersFor({ method: 'INVITE', uri: 'sip:bob@example.com', body: 'v=0\r\n' }).authorization?.[0]?.qop).toBe('auth');

    const i = client();
    i.onChallenge(response(401, { www: [digest('example.com', 'int', { qop: '"auth-int"' })] }), registrar, new Map());
    const body = 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n';
    const h = i.headersFor({ method: 'INVITE', uri: 'sip:bob@example.com', body }).authorization?.[0];
    expect(h?.qop).toBe('auth-int');
    const ha1 = md5('alice:example.com:secret');
    const ha2 = md5(`INVITE:sip:bob@example.com:${md5(body)}`);
    expect(unq(h?.response)).toBe(md5(`${ha1}:int:${h?.nc}:${unq(h?.cnonce)}:auth-int:${ha2}`));
  });

  it('headersFor(only) gives the realms of one round: an in-dialog retry does not carry the INVITE\'s other realms', () => {
    const c = client();
    c.onChallenge(response(407, { proxy: [digest('sbc.example.net', 's')] }), registrar, new Map());
    const bye: AuthRound = new Map();
    c.onChallenge(response(401, { www: [digest('example.com', 'b')] }), registrar, bye);
    const h = c.headersFor({ method: 'BYE', uri: 'sip:bob@192.0.2.5' }, bye);
    expect(h['proxy-authorization']).toBeUndefined();
    expect(unq(h.authorization?.[0]?.realm)).toBe('example.com');
  });

  it('refusals of the policy stay: foreign realm only, or a hop that is not the account\'s', () => {
    const c = client();
    expect(c.onChallenge(response(401, { www: [digest('attacker.example', 'x')] }), registrar, new Map())).toMatchObject({ fail: 'refused' });
    expect(c.onChallenge(response(401, { www: [digest('example.com', 'x')] }), { host: '192.0.2.66:5080', accountHop: false }, new Map())).toEqual({
      fail: 'refused',
      reason: "not sending your password to 192.0.2.66:5080: it is not your account's registrar or outbound proxy",
    });
    expect(c.onChallenge(response(401, { www: [{ scheme: 'Basic', realm: '"example.com"' }] }), registrar, new Map())).toMatchObject({ fail: 'none' });
    expect(c.spaces).toEqual([]);
  });

  it('credentialsOf copies what the INVITE carried, for its ACK (RFC 3261 §13.2.2.4)', () => {
    const a = { scheme: 'Digest', realm: '"example.com"', response: '"r"' };
    const p = { scheme: 'Digest', realm: '"sbc.example.net"', response: '"q"' };
    expect(credentialsOf({ headers: { authorization: [a], 'proxy-authorization': [p] } })).toEqual({ authorization: [a], 'proxy-authorization': [p] });
    expect(credentialsOf({ headers: {} })).toEqual({});
  });
});

describe('selectChallenges', () => {
  it('one per (header, realm), the strongest: SHA-256 over MD5, qop over none', () => {
    const choice = selectChallenges(
      [digest('example.com', 'm', { qop: '' }), digest('example.com', 's', { algorithm: 'SHA-256' })],
      [digest('example.com', 'p')],
      policy,
      registrar,
    );
    expect('accepted' in choice && choice.accepted.map((a) => [a.header, a.challenge.nonce])).toEqual([
      ['authorization', 's'],
      ['proxy-authorization', 'p'],
    ]);
  });
});
