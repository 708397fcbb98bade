// What a registrar granted and how Contacts compare (RFC 3261 §10.2.4): pure helpers of the registerer.

import { contactsOf, headerText, intOf } from './sip-headers';
import { parseSipUri } from './sip-uri';
import { transportParam } from './transport/transport-choice';
import type { SipResponse } from './sip-message';
import type { Destination } from './sip-transport';

/** When to refresh a binding granted for `granted` seconds: half-way, or 5 s early for short ones (§10.2.4). */
export function refreshDelaySeconds(granted: number): number {
  return Math.max(1, Math.min(granted / 2, granted - 5));
}

export function sameContact(a: string, b: string): boolean {
  const x = parseSipUri(a);
  const y = parseSipUri(b);
  if (!x || !y) return a === b;
  return x.user === y.user && x.host.toLowerCase() === y.host.toLowerCase() && (x.port ?? 5060) === (y.port ?? 5060);
}

/** Granted lifetime (§10.2.4): our Contact's expires parameter, else the Expires header, else what we asked. */
export function grantedExpires(res: SipResponse, ourContact: string, requested: number): number {
  const mine = contactsOf(res).find((c) => sameContact(c.uri, ourContact));
  const fromContact = intOf(mine?.params.expires);
  if (fromContact !== undefined) return fromContact;
  const fromHeader = intOf(headerText(res, 'expires'));
  return fromHeader ?? requested;
}

/** Our Contact URI for `user` at address `d` (;transport=tcp|tls on a stream, RFC 3261 §19.1.1). */
export function contactUriFor(user: string, d: Destination): string {
  return `sip:${user}@${d.address.includes(':') ? `[${d.address}]` : d.address}:${d.port}${transportParam(d.transport)}`;
}
