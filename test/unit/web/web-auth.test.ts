// Token, host and origin checks of the web server, and its security headers.
import { describe, expect, it } from 'vitest';
import { checkRequestAuth, contentSecurityPolicy, isAllowedOrigin, parseCookies, tokenCookie, tokensEqual } from '../../../src-main/web/web-auth';

const token = 'a'.repeat(64);
const host = '127.0.0.1:4321';

describe('web auth', () => {
  it('accepts the token in the query or in its per-port cookie', () => {
    expect(checkRequestAuth({ url: `/?token=${token}`, cookie: undefined, host }, token, 4321)).toEqual({ ok: true, viaQuery: true });
    expect(checkRequestAuth({ url: '/assets/x.js', cookie: `other=1; softphone_token_4321=${token}`, host }, token, 4321)).toEqual({ ok: true, viaQuery: false });
  });

  it('answers 401 without the right token (wrong value, other port cookie, truncated)', () => {
    const no = { ok: false, status: 401, reason: 'missing or wrong token' };
    expect(checkRequestAuth({ url: '/', cookie: undefined, host }, token, 4321)).toEqual(no);
    expect(checkRequestAuth({ url: `/?token=${'b'.repeat(64)}`, cookie: undefined, host }, token, 4321)).toEqual(no);
    expect(checkRequestAuth({ url: `/?token=${token.slice(1)}`, cookie: undefined, host }, token, 4321)).toEqual(no);
    expect(checkRequestAuth({ url: '/', cookie: `softphone_token_9999=${token}`, host }, token, 4321)).toEqual(no);
  });

  it('answers 403 to another Host even with the token (DNS rebinding)', () => {
    expect(checkRequestAuth({ url: `/?token=${token}`, cookie: undefined, host: 'evil.example:4321' }, token, 4321)).toMatchObject({ ok: false, status: 403 });
    expect(checkRequestAuth({ url: `/?token=${token}`, cookie: undefined, host: undefined }, token, 4321)).toMatchObject({ ok: false, status: 403 });
  });

  it('allows only our own origin on the WebSocket', () => {
    expect(isAllowedOrigin('http://127.0.0.1:4321', 4321)).toBe(true);
    expect(isAllowedOrigin('http://127.0.0.1:4322', 4321)).toBe(false);
    expect(isAllowedOrigin('https://evil.example', 4321)).toBe(false);
    expect(isAllowedOrigin('null', 4321)).toBe(false);
    expect(isAllowedOrigin(undefined, 4321)).toBe(false);
  });

  it('compares tokens fully and parses cookies', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abd')).toBe(false);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(parseCookies(' a=1; b = 2 ;bad; =x; a=3')).toEqual(new Map([['a', '1'], ['b', '2']]));
  });

  it('sets an HttpOnly SameSite=Strict cookie and a CSP that allows only this server', () => {
    expect(tokenCookie(token, 4321)).toBe(`softphone_token_4321=${token}; Path=/; HttpOnly; SameSite=Strict`);
    const csp = contentSecurityPolicy(4321);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:4321");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  });
});
