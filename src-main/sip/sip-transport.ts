// What the pure SIP modules need from the network (implemented by sip-stack.node.ts over the `sip`
// package, and by a recording fake in unit tests): send requests/responses, resolve next hops.

import type { SipTraceEntry } from './user-agent-api';
import type { SipRequest, SipResponse, SipVia } from './sip-message';

/** A resolved destination: an IP literal and a port, over UDP unless `transport` says otherwise. */
export interface Destination {
  address: string;
  port: number;
  /** SIP over TCP or TLS (RFC 3261 §18, RFC 3263); absent = UDP. */
  transport?: 'tcp' | 'tls';
  /** TLS: the host name the server's certificate must name (RFC 5922 §7.2), also sent as SNI. */
  serverName?: string;
}

/** A next hop as written in a URI: host name or IP, optional port (RFC 3263: 5060 for UDP). */
export interface HopTarget {
  host: string;
  port?: number;
  /** The URI's transport parameter, when it has one (RFC 3263 §4.1). */
  transport?: string;
  /** A sips: URI (TLS only, RFC 3261 §26.2.2). */
  secure?: boolean;
}

export interface ResolvedHop {
  destination: Destination;
  /** Our address and port as the destination should see them (Via / Contact). */
  local: Destination;
}

export interface ResponseInfo {
  /**
   * True when the stack made the response up instead of receiving it: 408 when the transaction timed
   * out (RFC 3261 §17.1.1.2 Timer B / §17.1.2.2 Timer F), 503 when the transport failed.
   */
  synthetic: boolean;
}

export type ResponseHandler = (response: SipResponse, info: ResponseInfo) => void;

export interface SentRequest {
  /** The top Via as the stack sent it (branch included), once the transaction has started; CANCEL copies it (RFC 3261 §9.1). */
  topVia(): SipVia | undefined;
  /** ACK for a 2xx only: send the same ACK again (a retransmitted 2xx is ACKed again, §13.2.2.4). */
  resend(): void;
}

export type RequestHandler = (request: SipRequest, remote: Destination) => void;

export interface SipTransport {
  /** Resolves a next hop (DNS if needed) and which local address reaches it. Rejects with a readable message. */
  resolve(target: HopTarget): Promise<ResolvedHop>;
  /**
   * Every server of the hop in the order to try them (RFC 3263 §4: NAPTR, SRV, A), those that failed
   * lately last. Optional: without it the hop has only resolve()'s one answer.
   */
  resolveAll?(target: HopTarget): Promise<ResolvedHop[]>;
  /** A server that timed out or answered 503: tried last for `seconds` (RFC 3263 §4.3). */
  markUnreachable?(destination: Destination, seconds: number): void;
  /**
   * Our address as seen from `remoteAddress` (the Contact of responses to it). With `remote` (where a
   * request came from) over TCP/TLS: our end of that connection, with its transport.
   */
  localFor(remoteAddress: string, remote?: Destination): Promise<Destination>;
  /**
   * Starts a client transaction (or, for ACK, just sends). `request.headers.via` is [] except for
   * CANCEL, which carries the INVITE's top Via. The handler sees provisional and final responses, and
   * each retransmitted 2xx to an INVITE.
   */
  sendRequest(request: SipRequest, to: Destination, onResponse?: ResponseHandler): SentRequest;
  /** Sends a response within the server transaction of the request it answers (matched by Via branch). */
  sendResponse(response: SipResponse): void;
  /**
   * Sends a bare CRLF datagram from the SIP socket: refreshes a NAT binding without a transaction
   * (what X-Lite / MicroSIP send). Optional: a transport without it cannot do 'crlf' keep-alives.
   */
  sendKeepAlive?(to: Destination): void;
}

/** The transport with its lifecycle and incoming side, as the user agent core drives it. */
export interface SipTransportHost extends SipTransport {
  start(): Promise<Destination>;
  stop(): Promise<void>;
  setHandlers(handlers: {
    request: RequestHandler;
    trace: (entry: SipTraceEntry) => void;
    warning: (message: string) => void;
  }): void;
}
