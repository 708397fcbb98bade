// The ghost-call filter (issue 9): while registered, only INVITEs from the registrar / proxy for our user ring.
import { describe, expect, it } from 'vitest';
import { judgeIncomingInvite, RejectedInvites, sameDestination, type IncomingFilterInput } from '../../../src-main/sip/incoming-filter';

const base: IncomingFilterInput = {
  registering: true,
  allowDirectCalls: false,
  source: { address: '198.51.100.1', port: 5060 },
  accountHops: [{ address: '198.51.100.1', port: 5060 }, { address: '198.51.100.2', port: 5070 }],
  requestUri: 'sip:alice@203.0.113.5:41234',
  user: 'alice',
};

describe('judgeIncomingInvite', () => {
  it('accepts a call from the registrar or the outbound proxy for our user', () => {
    expect(judgeIncomingInvite(base)).toEqual({ accept: true });
    expect(judgeIncomingInvite({ ...base, source: { address: '::ffff:198.51.100.2', port: 5070 } })).toEqual({ accept: true });
  });

  it('refuses another source, even one on the registrar address at another port', () => {
    expect(judgeIncomingInvite({ ...base, source: { address: '192.0.2.99', port: 5060 } })).toEqual({ accept: false, reason: 'not from the registrar or outbound proxy' });
    expect(judgeIncomingInvite({ ...base, source: { address: '198.51.100.1', port: 5061 } })).toMatchObject({ accept: false });
  });

  it('refuses a Request-URI user that is not ours (scanners dial 100, 9999...), case-sensitively', () => {
    expect(judgeIncomingInvite({ ...base, requestUri: 'sip:9999@203.0.113.5' })).toEqual({ accept: false, reason: 'Request-URI user "9999" is not this account\'s' });
    expect(judgeIncomingInvite({ ...base, requestUri: 'sip:Alice@203.0.113.5' })).toMatchObject({ accept: false });
    expect(judgeIncomingInvite({ ...base, requestUri: 'sip:203.0.113.5' })).toMatchObject({ accept: false });
  });

  it('lets anyone call in direct-IP mode (not registering) or when the account allows direct calls', () => {
    const stranger = { source: { address: '192.0.2.99', port: 5060 }, requestUri: 'sip:9999@203.0.113.5' };
    expect(judgeIncomingInvite({ ...base, ...stranger, registering: false })).toEqual({ accept: true });
    expect(judgeIncomingInvite({ ...base, ...stranger, allowDirectCalls: true })).toEqual({ accept: true });
  });

  it('compares addresses without brackets, case and the IPv4-mapped prefix', () => {
    expect(sameDestination({ address: '[2001:DB8::1]', port: 5060 }, { address: '2001:db8::1', port: 5060 })).toBe(true);
    expect(sameDestination({ address: '::ffff:10.0.0.1', port: 1 }, { address: '10.0.0.1', port: 1 })).toBe(true);
  });
});

describe('RejectedInvites', () => {
  it('counts every refusal and keeps only the last few, newest first', () => {
    const log = new RejectedInvites(3);
    for (let i = 0; i < 10; i++) log.add({ time: i, source: `192.0.2.${i}:5060`, from: 'sip:x@y', requestUri: 'sip:1@z', reason: 'r' });
    expect(log.total).toBe(10);
    expect(log.last.map((r) => r.time)).toEqual([9, 8, 7]);
  });
});
