import { describe, expect, it } from 'vitest';
import { DEFAULT_UNREACHABLE_SECONDS, MAX_UNREACHABLE_SECONDS, TargetHealth } from '../../../../src-main/sip/dns/target-health';

const a = { address: '192.0.2.1', port: 5060 };
const b = { address: '192.0.2.2', port: 5070 };
const c = { address: '192.0.2.3', port: 5080 };

describe('remembering servers that failed (RFC 3263 §4.3)', () => {
  it('moves a failed server to the back for a while, then lets it back in front', () => {
    let now = 1000;
    const h = new TargetHealth(() => now);
    h.markUnreachable(a);
    expect(h.order([a, b, c])).toEqual([b, c, a]);
    now += DEFAULT_UNREACHABLE_SECONDS * 1000 - 1;
    expect(h.order([a, b, c])).toEqual([b, c, a]);
    now += 1;
    expect(h.order([a, b, c])).toEqual([a, b, c]);
  });

  it('keeps every server in the list even when all failed (in their own order)', () => {
    const h = new TargetHealth(() => 0);
    h.markUnreachable(b);
    h.markUnreachable(a);
    expect(h.order([a, b])).toEqual([a, b]);
  });

  it('honours a Retry-After, within a cap; a server that answers again is back at once', () => {
    let now = 0;
    const h = new TargetHealth(() => now);
    h.markUnreachable(a, 5);
    now = 4999;
    expect(h.isUnreachable(a)).toBe(true);
    now = 5000;
    expect(h.isUnreachable(a)).toBe(false);
    h.markUnreachable(b, 10 ** 9);
    now += MAX_UNREACHABLE_SECONDS * 1000;
    expect(h.isUnreachable(b)).toBe(false);
    h.markUnreachable(c);
    h.markReachable(c);
    expect(h.isUnreachable(c)).toBe(false);
  });

  it('tells transports and ports apart', () => {
    const h = new TargetHealth(() => 0);
    h.markUnreachable({ ...a, transport: 'udp' });
    expect(h.isUnreachable({ ...a, transport: 'tcp' })).toBe(false);
    expect(h.isUnreachable({ ...a, port: 5061 })).toBe(false);
    expect(h.isUnreachable(a)).toBe(true);
  });
});
