// Which new INVITEs may ring (issue 9, ghost calls): while an account registers, only those that come from
// its registrar or outbound proxy and are for its user. Pure; the user agent core applies it before any
// media is opened, so a refused INVITE costs no RTP port and never reaches auto-answer.
//
// A registered phone's Contact is public; scanners (SIPVicious and friends) send INVITEs straight to it,
// often for a made-up Request-URI user such as 100 or 9999. A real call for us arrives through the proxy
// that holds our binding (RFC 3261 §10, §16.6) with the Request-URI rewritten to our Contact.

import { parseSipUri } from './sip-uri';
import type { Destination } from './sip-transport';

export interface IncomingFilterInput {
  /** The account registers (a registration is wanted): the filter applies. False: direct-IP mode, anyone may call. */
  registering: boolean;
  /** The account allows direct IP calls anyway. */
  allowDirectCalls: boolean;
  /** Where the INVITE came from (the datagram's source). */
  source: Destination;
  /** The registrar's and outbound proxy's resolved addresses. */
  accountHops: readonly Destination[];
  /** The INVITE's Request-URI. */
  requestUri: string;
  /** The account's user (our Contact's and AOR's user part). */
  user: string;
}

export type IncomingVerdict = { accept: true } | { accept: false; reason: string };

/** "::ffff:192.0.2.1" (dual-stack sockets) is 192.0.2.1; IPv6 compared lower-case without brackets. */
export function normaliseAddress(address: string): string {
  const a = address.trim().replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

export function sameDestination(a: Destination, b: Destination): boolean {
  return a.port === b.port && normaliseAddress(a.address) === normaliseAddress(b.address);
}

export function judgeIncomingInvite(i: IncomingFilterInput): IncomingVerdict {
  if (!i.registering || i.allowDirectCalls) return { accept: true };
  if (!i.accountHops.some((h) => sameDestination(h, i.source))) {
    return { accept: false, reason: 'not from the registrar or outbound proxy' };
  }
  // RFC 3261 §19.1.4: the user part compares case-sensitively.
  const user = parseSipUri(i.requestUri)?.user;
  if (user !== i.user) return { accept: false, reason: `Request-URI user "${user ?? ''}" is not this account's` };
  return { accept: true };
}

/** One refused INVITE, for diagnostics (Network view, CLI event). */
export interface RejectedInvite {
  /** ms since epoch */
  time: number;
  /** "address:port" it came from. */
  source: string;
  /** Its From URI (claimed, not verified). */
  from: string;
  requestUri: string;
  reason: string;
}

/** A counter and the last few refused INVITEs (bounded: a flood must not grow memory). */
export class RejectedInvites {
  private count = 0;
  private recent: RejectedInvite[] = [];

  constructor(private readonly keep = 5) {}

  add(r: RejectedInvite): void {
    this.count += 1;
    this.recent = [r, ...this.recent].slice(0, this.keep);
  }

  get total(): number {
    return this.count;
  }

  /** Newest first. */
  get last(): readonly RejectedInvite[] {
    return this.recent;
  }
}
