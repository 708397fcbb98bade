// The Network view's live status: the bound SIP socket, the registrar's view of us, and the NAT warning
// that holds until a request from outside arrives, the mapping changes or the registration ends.
import { describe, expect, it } from 'vitest';
import { isIncomingRequest, NetworkTracker } from '../../../src-main/app-core/network-status';
import type { NetworkStatus } from '../../../src-main/ipc/contract';
import type { PublicAddressInfo, SipTraceEntry } from '../../../src-main/sip/user-agent-api';

const natted: PublicAddressInfo = { address: '203.0.113.9', port: 61000, local: { address: '192.168.1.20', port: 5060 }, behindNat: true };
const entry = (direction: 'in' | 'out', summary: string): SipTraceEntry => ({ direction, summary, time: 0, remote: '203.0.113.1:5060', callId: 'x', raw: '' });

function setup() {
  const seen: NetworkStatus[] = [];
  const tracker = new NetworkTracker((s) => seen.push(s));
  return { tracker, seen };
}

describe('NetworkTracker', () => {
  it('tells requests from outside from responses', () => {
    expect(isIncomingRequest(entry('in', 'OPTIONS'))).toBe(true);
    expect(isIncomingRequest(entry('in', 'INVITE'))).toBe(true);
    expect(isIncomingRequest(entry('in', '200 OK'))).toBe(false);
    expect(isIncomingRequest(entry('out', 'REGISTER'))).toBe(false);
  });

  it('reports the bound socket, then the registrar view, and forgets the view when the registration ends', () => {
    const { tracker, seen } = setup();
    tracker.sipBound({ address: '0.0.0.0', port: 5060 });
    tracker.publicAddress(natted);
    tracker.registration({ state: 'registering' });
    expect(seen).toHaveLength(2);
    expect(tracker.current).toEqual({ sipLocal: { address: '0.0.0.0', port: 5060 }, publicAddress: natted, unreachableWarning: null });
    tracker.registration({ state: 'failed', reason: '408 Request Timeout' });
    expect(tracker.current.publicAddress).toBeNull();
    tracker.sipBound(null);
    expect(seen.at(-1)).toEqual({ sipLocal: null, publicAddress: null, unreachableWarning: null });
  });

  it('holds the NAT warning until a request arrives from outside', () => {
    const { tracker, seen } = setup();
    tracker.sipBound({ address: '0.0.0.0', port: 5060 });
    tracker.publicAddress(natted);
    tracker.unreachable('Registered, but the server’s calls cannot reach this PC …');
    expect(seen.at(-1)?.unreachableWarning).toContain('cannot reach this PC');
    const count = seen.length;
    tracker.trace(entry('in', '200 OK'));
    tracker.trace(entry('out', 'OPTIONS'));
    tracker.publicAddress({ ...natted });
    expect(seen).toHaveLength(count);
    tracker.trace(entry('in', 'OPTIONS'));
    expect(seen.at(-1)?.unreachableWarning).toBeNull();
  });

  it('drops the warning when the registrar sees a new mapping (a new binding)', () => {
    const { tracker } = setup();
    tracker.publicAddress(natted);
    tracker.unreachable('warning');
    tracker.publicAddress({ ...natted, port: 61002 });
    expect(tracker.current.unreachableWarning).toBeNull();
    expect(tracker.current.publicAddress?.port).toBe(61002);
  });

  it('hands out copies, so a listener cannot change the tracker', () => {
    const { tracker, seen } = setup();
    tracker.sipBound({ address: '127.0.0.1', port: 5060 });
    const first = seen[0];
    if (first?.sipLocal) first.sipLocal.port = 1;
    expect(tracker.current.sipLocal?.port).toBe(5060);
  });
});

describe('NetworkTracker: refused INVITEs (issue 9)', () => {
  it('counts them, keeps the last five newest first, and starts over with a new SIP socket', () => {
    const seen: NetworkStatus[] = [];
    const tracker = new NetworkTracker((s) => seen.push(s));
    tracker.sipBound({ address: '0.0.0.0', port: 5060 });
    for (let i = 1; i <= 7; i++) tracker.rejected({ time: i, source: `192.0.2.${i}:5060`, from: 'sip:x@y', requestUri: 'sip:9999@z', reason: 'not from the registrar or outbound proxy' });
    expect(tracker.current.rejectedInvites?.total).toBe(7);
    expect(tracker.current.rejectedInvites?.last.map((r) => r.source)).toEqual(['192.0.2.7:5060', '192.0.2.6:5060', '192.0.2.5:5060', '192.0.2.4:5060', '192.0.2.3:5060']);
    expect(seen.at(-1)?.rejectedInvites?.total).toBe(7);
    tracker.sipBound({ address: '0.0.0.0', port: 5062 });
    expect(tracker.current.rejectedInvites).toBeUndefined();
  });
});
