// Which peers our RTP socket can reach by IP family (media-family.ts): the rule behind the IPv6 488.
import { describe, expect, it } from 'vitest';
import { ipFamilyOf, reachableFamilies, unreachableMediaReason } from '../../../src-main/sip/media-family';

describe('ipFamilyOf', () => {
  it('tells IPv4, IPv6 (bracketed, zoned) and names apart', () => {
    expect(ipFamilyOf('192.0.2.1')).toBe(4);
    expect(ipFamilyOf('::1')).toBe(6);
    expect(ipFamilyOf('[2001:db8::1]')).toBe(6);
    expect(ipFamilyOf('fe80::1%eth0')).toBe(6);
    expect(ipFamilyOf('::ffff:192.0.2.1')).toBe(6);
    expect(ipFamilyOf('media.example.com')).toBe(0);
    expect(ipFamilyOf('300.1.1.1')).toBe(0);
  });
});

describe('reachableFamilies', () => {
  it('follows the bind address: 0.0.0.0 and IPv4 only v4, :: both (dual stack), an IPv6 address only v6', () => {
    expect(reachableFamilies('0.0.0.0')).toEqual([4]);
    expect(reachableFamilies('192.0.2.7')).toEqual([4]);
    expect(reachableFamilies('::')).toEqual([4, 6]);
    expect(reachableFamilies('::1')).toEqual([6]);
    expect(reachableFamilies('2001:db8::7')).toEqual([6]);
  });
});

describe('unreachableMediaReason', () => {
  it('names the address, its family and the fix when an IPv4-only socket meets an IPv6 peer', () => {
    const why = unreachableMediaReason('2001:db8::10', [4]);
    expect(why).toContain('2001:db8::10');
    expect(why).toContain('IPv6');
    expect(why).toContain('IPv4 only');
    expect(why).toContain('bind to ::');
  });

  it('and the other way round', () => {
    expect(unreachableMediaReason('192.0.2.5', [6])).toMatch(/192\.0\.2\.5 is IPv4 .* IPv6 only/);
  });

  it('lets reachable addresses, names and the hold address through', () => {
    expect(unreachableMediaReason('192.0.2.5', [4])).toBeNull();
    expect(unreachableMediaReason('2001:db8::10', [4, 6])).toBeNull();
    expect(unreachableMediaReason('192.0.2.5', [4, 6])).toBeNull();
    expect(unreachableMediaReason('media.example.com', [4])).toBeNull();
    expect(unreachableMediaReason('::', [4])).toBeNull();
    expect(unreachableMediaReason('0.0.0.0', [6])).toBeNull();
  });
});
