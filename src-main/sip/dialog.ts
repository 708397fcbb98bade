// Dialogs (RFC 3261 §12): identity from Call-ID and tags, CSeq bookkeeping, remote target and route
// set, and in-dialog requests built with Route headers (loose and strict routing, §12.2.1.1); the
// outbound proxy stays the first hop of a dialog whose proxy did not record-route (as pjsip does).

import { contactsOf, MAX_FORWARDS, routeUri } from './sip-headers';
import { parseSipUri } from './sip-uri';
import type { SipAuthHeader, SipNameAddr, SipRequest, SipResponse, SipRouteEntry } from './sip-message';
import type { HopTarget } from './sip-transport';

export function dialogId(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

/**
 * Where a request to `uri` goes, as the URI says it (RFC 3263 §4 input; the transport resolves it):
 * maddr if present, else the host; the port, transport parameter and sips scheme when given. IPv6
 * references lose their brackets. Null when the URI does not parse.
 */
export function hopOf(uri: string): HopTarget | null {
  const u = parseSipUri(uri);
  if (!u) return null;
  const maddr = u.params.maddr;
  const host = (maddr ?? u.host).replace(/^\[(.*)\]$/, '$1');
  const hop: HopTarget = u.port !== undefined ? { host, port: u.port } : { host };
  // RFC 3263 §4.1: the transport parameter and the sips scheme choose the transport.
  const transport = u.params.transport;
  if (typeof transport === 'string' && transport !== '') hop.transport = transport;
  if (u.scheme === 'sips') hop.secure = true;
  return hop;
}

function isLooseRouter(uri: string): boolean {
  const u = parseSipUri(uri);
  return u !== null && Object.prototype.hasOwnProperty.call(u.params, 'lr');
}

/** RFC 3261 §19.1.1 table: a Request-URI carries no URI headers and no method parameter. */
function asRequestUri(uri: string): string {
  const q = uri.indexOf('?');
  const base = q >= 0 ? uri.slice(0, q) : uri;
  return base.replace(/;method=[^;]*/i, '');
}

export interface RoutedRequestTarget {
  /** The Request-URI. */
  uri: string;
  /** Route header entries, in order. */
  route: SipRouteEntry[];
  /** The URI whose host/port the request is sent to (RFC 3261 §8.1.2: the first route, else the Request-URI). */
  nextHop: string;
}

/**
 * Applies a route set to a target (RFC 3261 §12.2.1.1, also used for a preloaded outbound-proxy route,
 * §8.1.2). Loose router first: Request-URI = target, Route = route set. Strict router first:
 * Request-URI = that router, Route = the rest plus the target at the end.
 */
export function applyRouteSet(target: string, routeSet: readonly string[]): RoutedRequestTarget {
  const first = routeSet[0];
  if (first === undefined) return { uri: target, route: [], nextHop: target };
  const entries = (uris: readonly string[]): SipRouteEntry[] => uris.map((uri) => ({ uri, params: {} }));
  if (isLooseRouter(first)) return { uri: target, route: entries(routeSet), nextHop: first };
  return { uri: asRequestUri(first), route: entries([...routeSet.slice(1), target]), nextHop: first };
}

export interface InDialogOptions {
  /** Contact for target-refresh requests (re-INVITE) and ACK-less requests that want one. */
  contact?: SipNameAddr;
  /** For ACK: the CSeq number of the INVITE it acknowledges (RFC 3261 §13.2.2.4). */
  seq?: number;
  headers?: Record<string, string>;
  /** Authorization / Proxy-Authorization values: a challenged retry's, or for ACK the INVITE's (RFC 3261 §13.2.2.4). */
  credentials?: { authorization?: SipAuthHeader[]; 'proxy-authorization'?: SipAuthHeader[] };
  content?: string;
  contentType?: string;
}

export class Dialog {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
  /** Our URI and display name as in From (UAC) / To (UAS), without the tag. */
  readonly local: SipNameAddr;
  readonly remote: SipNameAddr;
  /** Last CSeq number we used (RFC 3261 §12.1: the local sequence number). */
  localSeq: number;
  /** Highest CSeq number seen from the peer; undefined until its first request (UAC side). */
  remoteSeq: number | undefined;
  /** The peer's Contact URI: where in-dialog requests go (updated by target refresh, §12.2). */
  remoteTarget: string;
  /** Route set, first hop first. */
  readonly routeSet: readonly string[];
  /**
   * The account's outbound proxy (sip:proxy;lr), or []: used as a preloaded route while the route set is
   * empty, i.e. when the proxy did not record-route. RFC 3261 §12.2.1.1 alone would send in-dialog
   * requests straight to the remote target, which the user told us to reach only via the proxy (and
   * which, behind a NAT or a provider's firewall, only the proxy can reach). With a Record-Route the
   * route set from it is used as is (§16.12 loose routing).
   */
  readonly outboundRoute: readonly string[];

  constructor(init: {
    callId: string;
    localTag: string;
    remoteTag: string;
    local: SipNameAddr;
    remote: SipNameAddr;
    localSeq: number;
    remoteSeq: number | undefined;
    remoteTarget: string;
    routeSet: readonly string[];
    outboundRoute?: readonly string[];
  }) {
    this.callId = init.callId;
    this.localTag = init.localTag;
    this.remoteTag = init.remoteTag;
    this.local = { ...init.local, params: {} };
    this.remote = { ...init.remote, params: {} };
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.remoteTarget = init.remoteTarget;
    this.routeSet = init.routeSet;
    this.outboundRoute = init.outboundRoute ?? [];
  }

  get id(): string {
    return dialogId(this.callId, this.localTag, this.remoteTag);
  }

  /**
   * UAC side (RFC 3261 §12.1.2), from a 2xx (or a 1xx with a To tag) to our INVITE: route set is the
   * Record-Route list reversed, remote target the Contact, local sequence number the INVITE's CSeq.
   * The INVITE's own Route (the outbound proxy, §8.1.2) is kept as the outbound route. Null when the
   * response has no To tag.
   */
  static asUac(invite: SipRequest, response: SipResponse): Dialog | null {
    const remoteTag = response.headers.to.params.tag;
    const localTag = invite.headers.from.params.tag;
    if (!remoteTag || !localTag) return null;
    const rr = (response.headers['record-route'] ?? []).map(routeUri).filter((u): u is string => u !== undefined);
    const contact = contactsOf(response)[0]?.uri;
    return new Dialog({
      callId: invite.headers['call-id'],
      localTag,
      remoteTag,
      local: invite.headers.from,
      remote: invite.headers.to,
      localSeq: invite.headers.cseq.seq,
      remoteSeq: undefined,
      // A 2xx without Contact breaks §12.1.2; fall back to the Request-URI rather than fail the call.
      remoteTarget: contact ?? invite.uri,
      routeSet: rr.reverse(),
      outboundRoute: (invite.headers.route ?? []).map(routeUri).filter((u): u is string => u !== undefined),
    });
  }

  /**
   * UAS side (RFC 3261 §12.1.1), from the INVITE we answer: route set is the Record-Route list in
   * order, remote target the Contact, remote sequence number the INVITE's CSeq; our local sequence
   * number starts empty, so our first request uses 1.
   */
  static asUas(invite: SipRequest, localTag: string, outboundRoute: readonly string[] = []): Dialog {
    const rr = (invite.headers['record-route'] ?? []).map(routeUri).filter((u): u is string => u !== undefined);
    const contact = contactsOf(invite)[0]?.uri;
    return new Dialog({
      callId: invite.headers['call-id'],
      localTag,
      remoteTag: invite.headers.from.params.tag ?? '',
      local: invite.headers.to,
      remote: invite.headers.from,
      localSeq: 0,
      remoteSeq: invite.headers.cseq.seq,
      remoteTarget: contact ?? invite.headers.from.uri,
      routeSet: rr,
      outboundRoute,
    });
  }

  /**
   * A request within the dialog (RFC 3261 §12.2.1.1): To/From with both tags, our Call-ID, the next
   * local CSeq (ACK reuses the INVITE's), Request-URI and Route from the remote target and route set.
   */
  createRequest(method: string, opts: InDialogOptions = {}): { request: SipRequest; nextHop: string } {
    let seq: number;
    if (method === 'ACK') {
      seq = opts.seq ?? this.localSeq;
    } else {
      this.localSeq += 1;
      seq = this.localSeq;
    }
    const routed = applyRouteSet(this.remoteTarget, this.routeSet.length > 0 ? this.routeSet : this.outboundRoute);
    const request: SipRequest = {
      method,
      uri: routed.uri,
      headers: {
        via: [],
        // No tag yet: a request outside any dialog (a MESSAGE, RFC 3428), built the same way.
        to: { ...this.remote, params: this.remoteTag ? { tag: this.remoteTag } : {} },
        from: { ...this.local, params: { tag: this.localTag } },
        'call-id': this.callId,
        cseq: { seq, method },
        'max-forwards': MAX_FORWARDS,
      },
    };
    if (routed.route.length > 0) request.headers.route = routed.route;
    if (opts.contact) request.headers.contact = [opts.contact];
    for (const [name, value] of Object.entries(opts.headers ?? {})) request.headers[name.toLowerCase()] = value;
    for (const name of ['authorization', 'proxy-authorization'] as const) {
      const values = opts.credentials?.[name];
      if (values && values.length > 0) request.headers[name] = values.map((v) => ({ ...v }));
    }
    if (opts.content !== undefined) {
      request.content = opts.content;
      request.headers['content-type'] = opts.contentType ?? 'application/sdp';
    }
    return { request, nextHop: routed.nextHop };
  }

  /**
   * RFC 3261 §12.2.2: a request with a CSeq lower than (or, except for ACK/CANCEL, equal to) the last
   * one seen is out of order and gets a 500. Accepting it records the new remote sequence number.
   */
  acceptRemoteCSeq(req: SipRequest): boolean {
    const seq = req.headers.cseq.seq;
    if (req.method === 'ACK' || req.method === 'CANCEL') return true;
    if (this.remoteSeq !== undefined && seq <= this.remoteSeq) return false;
    this.remoteSeq = seq;
    return true;
  }

  /** Target refresh (RFC 3261 §12.2.1.2 / §12.2.2): a re-INVITE or its 2xx may carry a new Contact. */
  refreshTarget(msg: SipRequest | SipResponse): void {
    const contact = contactsOf(msg)[0]?.uri;
    if (contact && parseSipUri(contact)) this.remoteTarget = contact;
  }
}
