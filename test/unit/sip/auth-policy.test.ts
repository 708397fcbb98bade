// Who gets the password (issue 9): realm and hop checks, SHA-256 and qop=auth preferred, MD5 without qop refusable.
import { describe, expect, it } from 'vitest';
import { accountRealms, realmAllowed, selectChallenge, type AuthPolicy } from '../../../src-main/sip/auth-policy';

const policy: AuthPolicy = { realms: accountRealms('pbx.example.com:5070', ['Asterisk']), refuseMd5WithoutQop: false };
const fromPbx = { host: 'pbx.example.com:5070', accountHop: true };
const md5 = (realm: string, extra: Record<string, string> = {}) => ({ scheme: 'Digest', realm: `"${realm}"`, nonce: '"n"', algorithm: 'MD5', ...extra });

describe('accountRealms', () => {
  it('the domain as written, its host alone, and the extra realms, lower-cased', () => {
    expect(accountRealms('PBX.example.com:5070', ['Asterisk', ' '])).toEqual(['pbx.example.com:5070', 'pbx.example.com', 'asterisk']);
    expect(accountRealms('[2001:db8::1]:5060')).toEqual(['[2001:db8::1]:5060', '[2001:db8::1]', '2001:db8::1']);
    expect(accountRealms('sip:127.0.0.1:5099')).toEqual(['127.0.0.1:5099', '127.0.0.1']);
  });

  it('compares realms case-insensitively', () => {
    expect(realmAllowed('PBX.Example.COM', policy)).toBe(true);
    expect(realmAllowed('attacker.example', policy)).toBe(false);
  });
});

describe('selectChallenge', () => {
  it('refuses a foreign realm, naming the host and the realm (the issue 9 attack: 407, MD5, no qop)', () => {
    const r = selectChallenge([md5('attacker.example')], policy, { host: '127.0.0.1:5099', accountHop: false });
    expect(r).toEqual({ refused: 'not sending your password to 127.0.0.1:5099: realm "attacker.example" is not your account\'s' });
  });

  it('refuses our own realm when it comes from a hop that is not the registrar or proxy (a callee, a 302 target)', () => {
    const r = selectChallenge([md5('pbx.example.com')], policy, { host: 'evil.example', accountHop: false });
    expect(r).toEqual({ refused: "not sending your password to evil.example: it is not your account's registrar or outbound proxy" });
  });

  it('answers the domain realm and an extra realm from the account hop', () => {
    expect(selectChallenge([md5('pbx.example.com')], policy, fromPbx)).toMatchObject({ challenge: { realm: 'pbx.example.com' } });
    expect(selectChallenge([md5('asterisk')], policy, fromPbx)).toMatchObject({ challenge: { realm: 'asterisk' } });
  });

  it('skips foreign realms among several challenges', () => {
    const r = selectChallenge([md5('attacker.example', { algorithm: 'SHA-256', qop: '"auth"' }), md5('pbx.example.com')], policy, fromPbx);
    expect(r).toMatchObject({ challenge: { realm: 'pbx.example.com', algorithm: 'MD5' } });
  });

  it('prefers SHA-256, then qop=auth, else keeps the server order', () => {
    const noQop = md5('pbx.example.com');
    const withQop = md5('pbx.example.com', { qop: '"auth"', nonce: '"q"' });
    const sha = md5('pbx.example.com', { algorithm: 'SHA-256', nonce: '"s"' });
    expect(selectChallenge([noQop, withQop], policy, fromPbx)).toMatchObject({ challenge: { nonce: 'q', qop: ['auth'] } });
    expect(selectChallenge([withQop, sha], policy, fromPbx)).toMatchObject({ challenge: { nonce: 's', algorithm: 'SHA-256' } });
    expect(selectChallenge([noQop, md5('pbx.example.com', { nonce: '"2"' })], policy, fromPbx)).toMatchObject({ challenge: { nonce: 'n' } });
  });

  it('with refuseMd5WithoutQop: refuses MD5 without qop, still answers MD5 with qop and SHA-256 without', () => {
    const strict = { ...policy, refuseMd5WithoutQop: true };
    expect(selectChallenge([md5('pbx.example.com')], strict, fromPbx)).toEqual({
      refused: 'not sending your password to pbx.example.com:5070: it offers only MD5 digest without qop, which this account refuses',
    });
    expect(selectChallenge([md5('pbx.example.com', { qop: '"auth"' })], strict, fromPbx)).toMatchObject({ challenge: { qop: ['auth'] } });
    expect(selectChallenge([md5('pbx.example.com'), md5('pbx.example.com', { algorithm: 'SHA-256' })], strict, fromPbx)).toMatchObject({
      challenge: { algorithm: 'SHA-256' },
    });
  });

  it('nothing usable (Basic, unknown algorithm) is "none", not a refusal', () => {
    expect(selectChallenge([{ scheme: 'Basic', realm: '"x"' }], policy, fromPbx)).toEqual({ none: true });
    expect(selectChallenge([md5('pbx.example.com', { algorithm: 'SHA-512-256' })], policy, fromPbx)).toEqual({ none: true });
    expect(selectChallenge(undefined, policy, fromPbx)).toEqual({ none: true });
  });
});
