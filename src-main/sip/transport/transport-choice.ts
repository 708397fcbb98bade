// Which transport a request goes on: the account's transport for URIs that name none, and RFC 3261
// §18.1.1's switch from UDP to TCP for large requests. Pure.

import type { HopTarget } from '../sip-transport';

export type SipTransportSetting = 'udp' | 'tcp' | 'tls';

/**
 * RFC 3261 §18.1.1: "If a request is within 200 bytes of the path MTU, or if it is larger than 1300
 * bytes and the path MTU is unknown, the request MUST be sent using an RFC 2914 congestion controlled
 * transport protocol, such as TCP." The path MTU is unknown here, so 1300 it is. And: "if the attempt
 * to establish the connection generates either an ICMP Protocol Not Supported, or results in a TCP
 * reset, the element SHOULD retry the request, using UDP" (the stack does: a refused connection sends
 * it over UDP as before).
 */
export const LARGE_REQUEST_BYTES = 1300;

/**
 * True when a request of `bytes` bound for a UDP destination must try TCP instead. Responses are not
 * concerned (§18.2.2 sends them the way the request came), nor is ACK (it belongs to the INVITE's
 * transaction, whose transport it follows, §17.1.1.3) nor CANCEL (§9.1: same transport as the request
 * it cancels).
 */
export function mustSwitchToTcp(method: string, bytes: number, destinationTransport: string | undefined, tcpAvailable: boolean): boolean {
  if (!tcpAvailable) return false;
  if (destinationTransport !== undefined && destinationTransport !== 'udp') return false;
  if (method === 'ACK' || method === 'CANCEL') return false;
  return bytes > LARGE_REQUEST_BYTES;
}

/**
 * The hop with the account's transport when the URI names none (RFC 3263 §4.1 then takes it as given,
 * instead of NAPTR picking one). sips: URIs are TLS anyway (RFC 3261 §26.2.2); UDP adds nothing, so
 * hops of a UDP account resolve exactly as before.
 */
export function withPreferredTransport(hop: HopTarget, preferred: SipTransportSetting | undefined): HopTarget {
  if (!preferred || preferred === 'udp' || hop.transport !== undefined || hop.secure) return hop;
  return { ...hop, transport: preferred };
}

/** ";transport=tcp" / ";transport=tls" for a Contact on a stream (RFC 3261 §19.1.1); "" for UDP. */
export function transportParam(transport: string | undefined): string {
  return transport === 'tcp' || transport === 'tls' ? `;transport=${transport}` : '';
}
