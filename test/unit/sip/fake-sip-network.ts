// Test doubles for the SIP unit tests: a fake clock, a recording transport (no sockets), and a media
// session double that records what SIP negotiated. Not product code.
import { createResponse, type ResponseOptions } from '../../../src-main/sip/sip-headers';
import type { Clock } from '../../../src-main/sip/sip-clock';
import type { SipRequest, SipResponse, SipVia } from '../../../src-main/sip/sip-message';
import type { Destination, HopTarget, RequestHandler, ResolvedHop, ResponseHandler, SentRequest, SipTransportHost } from '../../../src-main/sip/sip-transport';
import type { AccountSettings, SipTraceEntry } from '../../../src-main/sip/user-agent-api';
import type { MediaEndpoint, MediaSession, MediaSessionEvents, MediaStartParams, RtpStats } from '../../../src-main/rtp/media-session';
import { Emitter } from '../../../src-main/util/emitter';
import type { Logger } from '../../../src-main/util/logger';

export class FakeClock implements Clock {
  private t = 1_700_000_000_000;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): number {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(id: unknown): void {
    if (typeof id === 'number') this.timers.delete(id);
  }
  get pending(): number {
    return this.timers.size;
  }
  /** Moves time forward, firing due timers in order (including ones they schedule), with promise turns in between. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}

/** Lets pending promise chains run (no sockets, so a few macrotask turns are enough). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}

export interface SentRecord {
  request: SipRequest;
  to: Destination;
  onResponse: ResponseHandler | undefined;
  via: SipVia;
  resends: number;
}

export const LOCAL: Destination = { address: '192.0.2.10', port: 5060 };

export class FakeTransport implements SipTransportHost {
  readonly sent: SentRecord[] = [];
  readonly responses: SipResponse[] = [];
  readonly resolved: HopTarget[] = [];
  /** Name -> IP for resolve(); IP literals resolve to themselves. */
  readonly dns = new Map<string, string>([['example.com', '198.51.100.1'], ['proxy.example.com', '198.51.100.2']]);
  /** CRLF keep-alive datagrams sent, by destination. */
  readonly keepAlives: Destination[] = [];
  /**
   * Where "the server" sees us: answer() writes it into the top Via as received/rport, like a server
   * doing RFC 3581 (a NAT in between when it differs from LOCAL). Undefined: no received/rport.
   */
  seenAs: Destination | undefined;
  private branch = 0;
  private handlers: { request: RequestHandler; trace: (e: SipTraceEntry) => void; warning: (m: string) => void } | undefined;
  stopped = false;

  async start(): Promise<Destination> {
    return LOCAL;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  setHandlers(h: { request: RequestHandler; trace: (e: SipTraceEntry) => void; warning: (m: string) => void }): void {
    this.handlers = h;
  }
  async resolve(target: HopTarget): Promise<ResolvedHop> {
    this.resolved.push(target);
    const address = /^[\d.]+$/.test(target.host) ? target.host : this.dns.get(target.host);
    if (!address) throw new Error(`cannot resolve ${target.host}: ENOTFOUND`);
    return { destination: { address, port: target.port ?? 5060 }, local: LOCAL };
  }
  /** Name -> every server ("ip:port"), for resolveAll() (RFC 3263 lists); others resolve to one. */
  readonly servers = new Map<string, string[]>();
  /** markUnreachable() calls, oldest first. */
  readonly unreachable: Array<{ destination: Destination; seconds: number }> = [];
  async resolveAll(target: HopTarget): Promise<ResolvedHop[]> {
    const list = this.servers.get(target.host);
    if (!list) return [await this.resolve(target)];
    this.resolved.push(target);
    return list.map((s) => {
      const [address = '', port = '5060'] = s.split(':');
      return { destination: { address, port: Number(port) }, local: LOCAL };
    });
  }
  markUnreachable(destination: Destination, seconds: number): void {
    this.unreachable.push({ destination, seconds });
  }
  async localFor(): Promise<Destination> {
    return LOCAL;
  }
  sendRequest(request: SipRequest, to: Destination, onResponse?: ResponseHandler): SentRequest {
    // Like the package: a new top Via with a fresh branch, except CANCEL which carries the INVITE's.
    const via: SipVia =
      request.method === 'CANCEL' && request.headers.via[0]
        ? request.headers.via[0]
        : { version: '2.0', protocol: 'UDP', host: LOCAL.address, port: LOCAL.port, params: { branch: `z9hG4bKfake${++this.branch}`, rport: null } };
    const copy: SipRequest = structuredClone(request);
    copy.headers.via = [via];
    const rec: SentRecord = { request: copy, to, onResponse, via, resends: 0 };
    this.sent.push(rec);
    return { topVia: () => via, resend: () => void rec.resends++ };
  }
  sendResponse(response: SipResponse): void {
    this.responses.push(structuredClone(response));
  }
  sendKeepAlive(to: Destination): void {
    this.keepAlives.push(to);
  }

  /** The requests sent with this method, oldest first. */
  requests(method: string): SentRecord[] {
    return this.sent.filter((s) => s.request.method === method);
  }
  last(method: string): SentRecord {
    const r = this.requests(method).at(-1);
    if (!r) throw new Error(`no ${method} sent (sent: ${this.sent.map((s) => s.request.method).join(', ')})`);
    return r;
  }
  /** Answers a request we sent, as the peer would (To tag, extra headers, body). */
  answer(rec: SentRecord, status: number, opts: ResponseOptions = {}): SipResponse {
    const res = createResponse(rec.request, status, opts);
    const via = res.headers.via[0];
    if (via && this.seenAs) {
      via.params.received = this.seenAs.address;
      via.params.rport = String(this.seenAs.port);
    }
    rec.onResponse?.(res, { synthetic: false });
    return res;
  }
  /** The stack's made-up 408 after Timer B/F. */
  timeout(rec: SentRecord): void {
    rec.onResponse?.(createResponse(rec.request, 408, { reason: '' }), { synthetic: true });
  }
  /** A request arriving from the network. */
  deliver(request: SipRequest, remote: Destination = { address: '203.0.113.5', port: 5060 }): void {
    if (!this.handlers) throw new Error('no handlers');
    this.handlers.request(structuredClone(request), remote);
  }
  lastResponse(status?: number): SipResponse {
    const r = status === undefined ? this.responses.at(-1) : this.responses.filter((x) => x.status === status).at(-1);
    if (!r) throw new Error(`no ${status ?? ''} response sent (sent: ${this.responses.map((x) => x.status).join(', ')})`);
    return r;
  }
}

/** Media test double: records the parameters SIP negotiated for it. */
export class RecordingMedia implements MediaSession {
  started: MediaStartParams | undefined;
  updates: MediaStartParams[] = [];
  closed = false;
  dtmf: string[] = [];
  /** Issue 10: while false the peer's packets "arrive" (the RTCP count moves at each look); true = silence. */
  silent = false;
  private rtcpReceived = 0;
  private readonly events = new Emitter<MediaSessionEvents>();
  constructor(readonly port = 4000) {}
  async open(): Promise<MediaEndpoint> {
    return { address: '0.0.0.0', rtpPort: this.port, rtcpPort: this.port + 1 };
  }
  async start(p: MediaStartParams): Promise<void> {
    this.started = p;
  }
  async update(p: MediaStartParams): Promise<void> {
    this.updates.push(p);
  }
  sendDtmf(d: string): void {
    this.dtmf.push(d);
  }
  setMuted(): void {}
  async stats(): Promise<RtpStats> {
    if (!this.silent && !this.closed) this.rtcpReceived++;
    const rtcpReceived = this.rtcpReceived;
    return { codec: this.started?.codec ?? null, packetsSent: 7, octetsSent: 1120, packetsReceived: 5, octetsReceived: 800, packetsLost: 0, duplicates: 0, late: 0, jitterMs: 0, remote: null, maxSendGapMs: 20, rtcpReceived };
  }
  async close(): Promise<RtpStats> {
    this.closed = true;
    return this.stats();
  }
  on<K extends keyof MediaSessionEvents>(event: K, listener: (p: MediaSessionEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

/** A peer's SDP answer/offer for tests. */
export function peerSdp(port: number, direction = 'sendrecv', address = '203.0.113.5'): string {
  return [
    'v=0',
    `o=peer 1 1 IN IP4 ${address}`,
    's=-',
    `c=IN IP4 ${address}`,
    't=0 0',
    `m=audio ${port} RTP/AVP 8 0 101`,
    'a=rtpmap:8 PCMA/8000',
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:101 telephone-event/8000',
    'a=fmtp:101 0-15',
    'a=ptime:20',
    `a=${direction}`,
    '',
  ].join('\r\n');
}

/** alice@example.com registering with digest: the account of the subscription and publication tests. */
export const WORK_ACCOUNT: AccountSettings = {
  accountName: 'work',
  userId: 'alice',
  domain: 'example.com',
  password: 'secret',
  displayName: 'Alice',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '',
  registerExpires: 300,
};
