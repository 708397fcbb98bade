// Reading where the server saw us from received/rport in our top Via (RFC 3581 §4), junk ignored.
import { describe, expect, it } from 'vitest';
import { formatDestination, isBehindNat, sameDestination, viaMapping } from '../../../src-main/sip/nat-mapping';
import type { HeaderParams, SipResponse } from '../../../src-main/sip/sip-message';

function res(host: string, port: number | undefined, params: HeaderParams): SipResponse {
  return {
    status: 200,
    reason: 'OK',
    headers: {
      via: [{ version: '2.0', protocol: 'UDP', host, ...(port === undefined ? {} : { port }), params: { branch: 'z9hG4bK1', ...params } }],
      to: { uri: 'sip:a@example.com', params: {} },
      from: { uri: 'sip:a@example.com', params: { tag: 't' } },
      'call-id': 'c',
      cseq: { seq: 1, method: 'REGISTER' },
    },
  };
}

describe('viaMapping', () => {
  it('received and rport give the public side; sent-by the local side', () => {
    const m = viaMapping(res('192.168.1.10', 5060, { received: '203.0.113.5', rport: '41234' }));
    expect(m).toEqual({ mapped: { address: '203.0.113.5', port: 41234 }, local: { address: '192.168.1.10', port: 5060 } });
    expect(m && isBehindNat(m)).toBe(true);
  });

  it('rport alone (same address, other port) is still a NAT; received alone keeps the sent-by port', () => {
    const portOnly = viaMapping(res('192.0.2.10', 5060, { rport: '6000' }));
    expect(portOnly?.mapped).toEqual({ address: '192.0.2.10', port: 6000 });
    expect(portOnly && isBehindNat(portOnly)).toBe(true);
    const addrOnly = viaMapping(res('10.0.0.2', 5070, { received: '198.51.100.9', rport: null }));
    expect(addrOnly?.mapped).toEqual({ address: '198.51.100.9', port: 5070 });
  });

  it('the same address and port means no NAT; a missing sent-by port is 5060', () => {
    const m = viaMapping(res('192.0.2.10', undefined, { received: '192.0.2.10', rport: '5060' }));
    expect(m?.local).toEqual({ address: '192.0.2.10', port: 5060 });
    expect(m && isBehindNat(m)).toBe(false);
  });

  it('a server that added nothing (rport without value, no received) tells us nothing', () => {
    expect(viaMapping(res('192.0.2.10', 5060, { rport: null }))).toBeUndefined();
    expect(viaMapping(res('192.0.2.10', 5060, {}))).toBeUndefined();
  });

  it('junk is never trusted: bad IPs, ports out of range, a host name as sent-by', () => {
    expect(viaMapping(res('192.0.2.10', 5060, { received: '999.1.1.1', rport: 'abc' }))).toBeUndefined();
    expect(viaMapping(res('192.0.2.10', 5060, { received: 'evil.example.com', rport: '70000' }))).toBeUndefined();
    expect(viaMapping(res('192.0.2.10', 5060, { received: '198.51.100.1', rport: '0' }))?.mapped).toEqual({ address: '198.51.100.1', port: 5060 });
    expect(viaMapping(res('pc.local', 5060, { received: '198.51.100.1', rport: '4000' }))).toBeUndefined();
    const none: SipResponse = { ...res('192.0.2.10', 5060, {}), headers: { ...res('192.0.2.10', 5060, {}).headers, via: [] } };
    expect(viaMapping(none)).toBeUndefined();
  });

  it('IPv6: received in brackets or not; formatted with brackets', () => {
    const m = viaMapping(res('2001:db8::10', 5060, { received: '[2001:db8::1]', rport: '5062' }));
    expect(m?.mapped).toEqual({ address: '2001:db8::1', port: 5062 });
    expect(m && formatDestination(m.mapped)).toBe('[2001:db8::1]:5062');
    expect(sameDestination({ address: '2001:DB8::1', port: 1 }, { address: '2001:db8::1', port: 1 })).toBe(true);
  });
});
