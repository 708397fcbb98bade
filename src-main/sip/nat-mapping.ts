// Our address as the server sees it, read from the received/rport the server wrote into our top Via
// (RFC 3581 §4, RFC 3261 §18.2.1): the public side of a NAT binding, and whether we sit behind one.

import { isIPv4, isIPv6 } from './sip-uri';
import type { SipResponse } from './sip-message';
import type { Destination } from './sip-transport';

/** Where the server saw our request come from, and where we said it came from. */
export interface ViaMapping {
  /** received (else the sent-by host) and rport (else the sent-by port): the public side. */
  mapped: Destination;
  /** Our own sent-by, as we wrote it: the local side. */
  local: Destination;
}

function portOf(v: unknown): number | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

function ipOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim().replace(/^\[(.*)\]$/, '$1');
  return isIPv4(s) || isIPv6(s) ? s : undefined;
}

/**
 * The mapping a response's top Via reports (that Via is ours: the stack matched the response to our
 * transaction by its branch). Undefined when the server added neither received nor a valued rport —
 * it told us nothing — or when our own sent-by is unreadable. Junk values are ignored, never trusted.
 */
export function viaMapping(res: SipResponse): ViaMapping | undefined {
  const via = res.headers.via[0];
  if (!via) return undefined;
  const localAddress = ipOf(via.host);
  const localPort = portOf(via.port) ?? 5060;
  if (!localAddress) return undefined;
  const received = ipOf(via.params.received);
  const rport = portOf(via.params.rport);
  if (received === undefined && rport === undefined) return undefined;
  return {
    mapped: { address: received ?? localAddress, port: rport ?? localPort },
    local: { address: localAddress, port: localPort },
  };
}

export function sameDestination(a: Destination | undefined, b: Destination | undefined): boolean {
  if (!a || !b) return a === b;
  return a.address.toLowerCase() === b.address.toLowerCase() && a.port === b.port;
}

/** True when the server sees another address or port than ours: a NAT (or a port-rewriting firewall) is between. */
export function isBehindNat(m: ViaMapping): boolean {
  return !sameDestination(m.mapped, m.local);
}

export function formatDestination(d: Destination): string {
  return d.address.includes(':') ? `[${d.address}]:${d.port}` : `${d.address}:${d.port}`;
}
