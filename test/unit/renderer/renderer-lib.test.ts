// Pure renderer helpers: account/transport validation, SIP text parsing, formatting, language choice.
import { describe, expect, it } from 'vitest';
import { checkHostPort, validateAccount, validateTransport } from '../../../src-renderer/lib/account-validation';
import { connectedSeconds, formatDuration, formatOffset, partyName, uriUser } from '../../../src-renderer/lib/format';
import { headerValue, sipFacts, splitMessage } from '../../../src-renderer/lib/sip-text';
import { languageFromLocale, resolveLanguage } from '../../../src-renderer/i18n';
import { NEW_ACCOUNT } from '../../../src-renderer/state/account.svelte';

describe('account validation', () => {
  it('accepts host, IPv4, [IPv6] with optional port', () => {
    for (const ok of ['example.com', '211.232.10.20', 'sip.example.com:5070', '[2001:db8::1]:5060', 'localhost']) {
      expect(checkHostPort(ok), ok).toBeNull();
    }
  });

  it('names what is wrong with a host', () => {
    expect(checkHostPort('my domain.com')).toBe('hostSpaces');
    expect(checkHostPort('alice@example.com')).toBe('hostChars');
    expect(checkHostPort('example.com/x')).toBe('hostChars');
    expect(checkHostPort('example.com:0')).toBe('portRange');
    expect(checkHostPort('example.com:70000')).toBe('portRange');
    expect(checkHostPort('sip:example.com')).toBe('hostInvalid');
    expect(checkHostPort('-bad-.com')).toBe('hostInvalid');
  });

  it('checks the X-Lite form as a whole', () => {
    expect(validateAccount({ ...NEW_ACCOUNT, userId: 'p1001', domain: '211.232.10.20' })).toEqual({});
    expect(validateAccount({ ...NEW_ACCOUNT, domain: 'example.com' })).toEqual({ userId: 'userIdRequired' });
    expect(validateAccount({ ...NEW_ACCOUNT, registerWithDomain: false, domain: 'example.com' })).toEqual({});
    expect(validateAccount({ ...NEW_ACCOUNT, userId: 'a b', domain: '' })).toEqual({ userId: 'userIdChars', domain: 'required' });
    expect(validateAccount({ ...NEW_ACCOUNT, userId: 'a', domain: 'x.org', sendOutboundVia: 'proxy' })).toEqual({ proxyAddress: 'proxyRequired' });
    expect(validateAccount({ ...NEW_ACCOUNT, userId: 'a', domain: 'x.org', authorizationName: 'a b', registerExpires: 30 })).toEqual({
      authorizationName: 'noSpaces',
      registerExpires: 'expiresRange',
    });
  });

  it('session timer: absent (default), 0 (off) or 90-86400 s (RFC 4028 Min-SE floor)', () => {
    const base = { ...NEW_ACCOUNT, userId: 'a', domain: 'x.org' };
    for (const ok of [undefined, 0, 90, 1800, 86400]) expect(validateAccount({ ...base, ...(ok !== undefined ? { sessionExpires: ok } : {}) }), String(ok)).toEqual({});
    for (const bad of [1, 89, 86401, -1, 90.5, Number.NaN]) expect(validateAccount({ ...base, sessionExpires: bad }), String(bad)).toEqual({ sessionExpires: 'sessionExpiresRange' });
  });

  it('checks the transport ports', () => {
    expect(validateTransport({ sipPort: 5060, rtpPortMin: 10000, rtpPortMax: 20000 })).toEqual({});
    expect(validateTransport({ sipPort: 70000, rtpPortMin: 80, rtpPortMax: 20000 })).toEqual({ sipPort: 'sipPortRange', rtpPortMin: 'rtpRange' });
    expect(validateTransport({ sipPort: 0, rtpPortMin: 20000, rtpPortMax: 20000 })).toEqual({ rtpPortMax: 'rtpOrder' });
    expect(validateTransport({ sipPort: Number.NaN, rtpPortMin: 10000, rtpPortMax: 20000 })).toEqual({ sipPort: 'sipPortRange' });
  });
});

describe('SIP text', () => {
  const invite = 'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1\r\nCSeq: 314 INVITE\r\nSubject: folded\r\n  header\r\nc: application/sdp\r\n\r\nv=0\r\n';
  it('reads start line, CSeq and SDP (compact Content-Type too)', () => {
    expect(sipFacts(invite)).toEqual({ method: 'INVITE', status: null, requestUri: 'sip:bob@example.com', cseqMethod: 'INVITE', hasSdp: true });
    expect(sipFacts('SIP/2.0 486 Busy Here\r\nCSeq: 1 INVITE\r\n\r\n')).toMatchObject({ method: null, status: 486, cseqMethod: 'INVITE', hasSdp: false });
    expect(sipFacts('garbage')).toMatchObject({ method: null, status: null });
  });

  it('unfolds headers and splits off the body', () => {
    const parts = splitMessage(invite);
    expect(parts.start).toBe('INVITE sip:bob@example.com SIP/2.0');
    expect(parts.headers).toContain('Subject: folded header');
    expect(parts.body).toBe('v=0\n');
    expect(headerValue(invite, 'subject')).toBe('folded header');
  });
});

describe('format', () => {
  it('formats timers, offsets and parties', () => {
    expect(formatDuration(12)).toBe('00:12');
    expect(formatDuration(754)).toBe('12:34');
    expect(formatDuration(3723)).toBe('1:02:03');
    expect(formatDuration(-5)).toBe('00:00');
    expect(connectedSeconds(1000, 13_500)).toBe(12);
    expect(connectedSeconds(null, 13_500)).toBe(0);
    expect(formatOffset(1234.4)).toBe('+1234 ms');
    expect(uriUser('sip:bob@example.com;transport=udp')).toBe('bob');
    expect(uriUser('tel:+821012345678')).toBe('+821012345678');
    expect(partyName('', 'sip:carol@x')).toBe('carol');
    expect(partyName('Carol K', 'sip:carol@x')).toBe('Carol K');
  });
});

describe('language', () => {
  it('follows the system locale unless one is chosen', () => {
    expect(languageFromLocale('ko-KR')).toBe('ko');
    expect(languageFromLocale('en-US')).toBe('en');
    expect(languageFromLocale('de-DE')).toBe('en');
    expect(resolveLanguage('system', 'ko')).toBe('ko');
    expect(resolveLanguage('en', 'ko-KR')).toBe('en');
  });
});
