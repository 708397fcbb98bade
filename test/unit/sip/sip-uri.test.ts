// SIP URI, host:port and name-addr parsing/formatting (RFC 3261 §19.1, §25.1 examples).
import { describe, expect, it } from 'vitest';
import {
  escapeUser,
  formatNameAddr,
  formatSipUri,
  isIPv6,
  parseHostPort,
  parseNameAddr,
  parseSipUri,
  unquoteDisplayName,
} from '../../../src-main/sip/sip-uri';

describe('parseSipUri', () => {
  it('parses the RFC 3261 §19.1.3 examples', () => {
    expect(parseSipUri('sip:alice@atlanta.com')).toEqual({ scheme: 'sip', user: 'alice', host: 'atlanta.com', params: {}, headers: {} });
    expect(parseSipUri('sip:alice:secretword@atlanta.com;transport=tcp')).toEqual({
      scheme: 'sip',
      user: 'alice',
      password: 'secretword',
      host: 'atlanta.com',
      params: { transport: 'tcp' },
      headers: {},
    });
    expect(parseSipUri('sips:alice@atlanta.com?subject=project%20x&priority=urgent')).toEqual({
      scheme: 'sips',
      user: 'alice',
      host: 'atlanta.com',
      params: {},
      headers: { subject: 'project%20x', priority: 'urgent' },
    });
    expect(parseSipUri('sip:+1-212-555-1212:1234@gateway.com;user=phone')).toMatchObject({
      user: '+1-212-555-1212',
      password: '1234',
      host: 'gateway.com',
      params: { user: 'phone' },
    });
    expect(parseSipUri('sip:alice@192.0.2.4')).toMatchObject({ host: '192.0.2.4' });
    expect(parseSipUri('sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com')).toEqual({
      scheme: 'sip',
      host: 'atlanta.com',
      params: { method: 'REGISTER' },
      headers: { to: 'alice%40atlanta.com' },
    });
    expect(parseSipUri('sip:alice;day=tuesday@atlanta.com')).toMatchObject({ user: 'alice;day=tuesday', host: 'atlanta.com' });
  });

  it('handles ports, IPv6 references, flag params and case-insensitive scheme/param names', () => {
    expect(parseSipUri('sip:bob@[2001:db8::1]:5062;LR;Transport=UDP')).toEqual({
      scheme: 'sip',
      user: 'bob',
      host: '[2001:db8::1]',
      port: 5062,
      params: { lr: null, transport: 'UDP' },
      headers: {},
    });
    expect(parseSipUri('SIP:192.0.2.7:5062')).toEqual({ scheme: 'sip', host: '192.0.2.7', port: 5062, params: {}, headers: {} });
    expect(parseSipUri('sip:[::ffff:192.0.2.1]')?.host).toBe('[::ffff:192.0.2.1]');
  });

  it('rejects malformed URIs', () => {
    for (const bad of [
      'sip:',
      'http://example.com',
      'sip:bob@',
      'sip:@example.com',
      'sip:bob smith@example.com',
      'sip:bob@exa mple.com',
      'sip:bob@ example.com',
      'sip:bob@example.com;transport=\tudp',
      'sip:bob@example.com:0',
      'sip:bob@example.com:65536',
      'sip:bob@example.com:50x',
      'sip:bob@2001:db8::1',
      'sip:bob@[2001:db8::1',
      'sip:bob@[2001:db8:::1]',
      'sip:bob@-bad-.com',
      'sip:bob@example.com;;lr',
      'sip:bob@example.com?novalue',
      'sip:bob<x>@example.com',
      'sip:bob@example.com\r\nVia: x',
    ]) {
      expect(parseSipUri(bad), bad).toBeNull();
    }
    expect(parseSipUri(42 as unknown as string)).toBeNull();
  });

  it('round-trips through formatSipUri', () => {
    for (const s of [
      'sip:alice@atlanta.com',
      'sips:alice:pw@atlanta.com:5061;transport=tls;lr',
      'sip:bob@[2001:db8::1]:5062;maddr=239.255.255.1',
      'sip:+358-555-1234567;postd=pp22@foo.com;user=phone',
      'sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com&x=1',
    ]) {
      const u = parseSipUri(s);
      expect(u, s).not.toBeNull();
      expect(formatSipUri(u!)).toBe(s);
    }
  });

  it('formatSipUri escapes what a component may not contain', () => {
    expect(formatSipUri({ scheme: 'sip', user: '#31 Jürgen', host: 'example.com', params: {}, headers: {} })).toBe(
      'sip:%2331%20J%C3%BCrgen@example.com',
    );
    expect(formatSipUri({ scheme: 'sip', host: '2001:db8::2', port: 5060, params: {}, headers: {} })).toBe('sip:[2001:db8::2]:5060');
  });
});

describe('parseHostPort', () => {
  it('reads host, host:port, [v6]:port and bare v6', () => {
    expect(parseHostPort('example.com')).toEqual({ host: 'example.com' });
    expect(parseHostPort(' 192.0.2.7:5062 ')).toEqual({ host: '192.0.2.7', port: 5062 });
    expect(parseHostPort('[2001:db8::1]:5060')).toEqual({ host: '[2001:db8::1]', port: 5060 });
    expect(parseHostPort('[::1]')).toEqual({ host: '[::1]' });
    expect(parseHostPort('2001:db8::1')).toEqual({ host: '[2001:db8::1]' });
  });

  it('rejects empty, bad ports and bad hosts', () => {
    for (const bad of ['', 'host:', 'host:99999', 'ho st', '[::1]x', '[zz::1]:5060', 'a:b:c', '1.2.3.4:5:6']) {
      expect(parseHostPort(bad), bad).toBeNull();
    }
  });

  it('isIPv6 follows RFC 4291 text forms', () => {
    expect(isIPv6('::')).toBe(true);
    expect(isIPv6('1:2:3:4:5:6:7:8')).toBe(true);
    expect(isIPv6('1:2:3:4:5:6:7:8:9')).toBe(false);
    expect(isIPv6('1::2::3')).toBe(false);
    expect(isIPv6('::ffff:1.2.3.4')).toBe(true);
    expect(isIPv6('::ffff:1.2.3.256')).toBe(false);
  });
});

describe('name-addr', () => {
  it('formatNameAddr quotes and escapes the display name (RFC 3261 §25.1), keeps UTF-8', () => {
    expect(formatNameAddr('Bob', 'sip:bob@example.com')).toBe('"Bob" <sip:bob@example.com>');
    expect(formatNameAddr('Say "hi" \\o/', 'sip:a@b', { tag: 'x1' })).toBe('"Say \\"hi\\" \\\\o/" <sip:a@b>;tag=x1');
    expect(formatNameAddr('Zoë 日本', 'sip:a@b')).toBe('"Zoë 日本" <sip:a@b>');
    expect(formatNameAddr(undefined, 'sip:a@b;lr', { expires: '3600', lr: null })).toBe('<sip:a@b;lr>;expires=3600;lr');
    expect(formatNameAddr('  ', 'sip:a@b')).toBe('<sip:a@b>');
  });

  it('formatNameAddr cannot be used for header injection', () => {
    const s = formatNameAddr('Eve\r\nVia: evil', 'sip:e@x');
    expect(s).not.toMatch(/[\r\n]/);
    expect(s).toBe('"Eve Via: evil" <sip:e@x>');
  });

  it('parseNameAddr reads what formatNameAddr writes, and addr-spec forms', () => {
    const written = formatNameAddr('Say "hi" \\o/', 'sip:a@b;transport=udp', { tag: 'x1' });
    expect(parseNameAddr(written)).toEqual({ displayName: 'Say "hi" \\o/', uri: 'sip:a@b;transport=udp', params: { tag: 'x1' } });
    expect(parseNameAddr('Bob Smith <sip:bob@x>')).toEqual({ displayName: 'Bob Smith', uri: 'sip:bob@x', params: {} });
    expect(parseNameAddr('sip:bob@x;tag=9')).toEqual({ uri: 'sip:bob@x', params: { tag: '9' } });
    expect(parseNameAddr('"a<b" <sip:c@d>')?.displayName).toBe('a<b');
    expect(parseNameAddr('<sip:c@d')).toBeNull();
    expect(parseNameAddr('')).toBeNull();
    expect(unquoteDisplayName('"x\\"y"')).toBe('x"y');
  });

  it('escapeUser escapes "#" and spaces but keeps telephone-subscriber characters', () => {
    expect(escapeUser('*72#1')).toBe('*72%231');
    expect(escapeUser('+1-212;postd=pp22')).toBe('+1-212;postd=pp22');
    expect(escapeUser('a b%20c')).toBe('a%20b%20c');
  });
});
