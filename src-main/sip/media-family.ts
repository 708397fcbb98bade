// Which IP families our RTP socket can send to, and why a peer's media address is out of reach: a clear
// 488 instead of EINVAL from a udp4 socket asked to send to an IPv6 address (issue 10). Pure.

import { isIPv4, isIPv6 } from './sip-uri';

export type IpFamily = 4 | 6;

/** 4 or 6 for an IP literal ("[v6]" too), 0 for anything else (a host name, garbage). */
export function ipFamilyOf(address: string): IpFamily | 0 {
  const a = address.replace(/^\[(.*)\]$/, '$1');
  if (isIPv4(a)) return 4;
  // A zone id ("fe80::1%eth0") names our interface, not part of the address.
  if (isIPv6(a.replace(/%[^%]*$/, ''))) return 6;
  return 0;
}

/**
 * The families a socket bound to `bindAddress` reaches: "0.0.0.0" or an IPv4 address only IPv4; "::"
 * both (Node opens udp6 sockets without IPV6_V6ONLY, so IPv4 peers are reached as ::ffff:a.b.c.d); a
 * specific IPv6 address only IPv6.
 */
export function reachableFamilies(bindAddress: string): IpFamily[] {
  if (bindAddress === '' || bindAddress === '0.0.0.0') return [4];
  if (bindAddress === '::') return [4, 6];
  return ipFamilyOf(bindAddress) === 6 ? [6] : [4];
}

/**
 * Why media cannot be sent to `remote` from a socket reaching `families`, or null when it can. A host
 * name is left to the socket's own lookup (its family filter picks a usable address, or the send fails
 * and is reported), and the null address (hold, RFC 3264 §8.4) needs no route at all.
 */
export function unreachableMediaReason(remote: string, families: readonly IpFamily[]): string | null {
  if (remote === '0.0.0.0' || remote === '::') return null;
  const family = ipFamilyOf(remote);
  if (family === 0 || families.includes(family)) return null;
  const ours = families.includes(6) ? 'IPv6' : 'IPv4';
  return `the peer's media address ${remote} is IPv${family} and this phone's RTP is ${ours} only (bind to :: for both)`;
}
