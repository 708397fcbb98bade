// The adapter for the npm `sip` package (the only file importing it): UDP transport and transactions
// from the package, everything else translated at this boundary — UTF-8 text, SIP traces, next-hop
// resolution, our local address, and the package's made-up responses told apart from real ones.
//
// Why node_modules/sip is patched (patches/sip+0.0.6.patch, applied by patch-package on install):
//  a. its UDP socket had no 'error' listener (EADDRINUSE or a send error crashed the process) and
//     `port: 0` became 5060: errors now go to options.logger.error, port 0 binds any free port, the
//     bound address is exposed (address(), onListening) and Via carries the real bound port;
//  b. Via branches came from Math.random()*1e6: now crypto random (RFC 3261 §8.1.1.7 uniqueness);
//  c. `hop.host === hostname` ignored the port, so a proxy or a peer on our own IP (127.0.0.1:5062
//     called from 127.0.0.1:5060) was taken for a flow token and got 404: host AND port are compared
//     and the flow-token feature (unused here) is gone;
//  d. malformed datagrams vanished silently: they are reported (with the sender's address) and a
//     request that parses but lacks mandatory headers gets 400 when it has a Via (RFC 3261 §8.2.2, §16.3);
//  e. send() takes an explicit destination: we apply the route set ourselves (dialog.ts) and resolve
//     names by RFC 3263 (dns/: NAPTR, SRV, then A through getaddrinfo so /etc/hosts works);
//  f. a client transaction destroyed before its first tick started its timers anyway and kept
//     retransmitting into the closed socket (and the process alive) for 32 s;
//  g. NAT keep-alives: sendRaw() sends a CRLF datagram from the SIP socket (the binding to keep is
//     that socket's), and a received datagram of only CR/LF/whitespace is a peer's keep-alive, dropped
//     quietly instead of reported as malformed;
//  h. options.gate sees every datagram before the package's parser (our strict gate, message-gate.ts,
//     and the per-source rate limits, rate-limit.ts) and may answer it or drop it;
//  i. the parser's applyRegex searched the whole rest of the text at each step (O(n^2) on long lists):
//     sticky regular expressions now;
//  j. server transactions are counted and capped (options.maxServerTransactions): past the cap a new
//     request goes to options.onOverload instead of growing the map under a flood of distinct branches;
//  k. the RFC 3261 §17 timers (options.timers): a 1xx no longer stops a non-INVITE request's
//     retransmissions and Timer F (§17.1.2.2), Timers E and G are capped at T2, T1/T2/T4 are settable,
//     the ACK for a non-2xx carries the INVITE's Route (§17.1.1.3), an ACK matching an INVITE server
//     transaction in Accepted reaches us (RFC 6026 §7.1), and a received 503 reaches us as itself (with
//     its Retry-After) instead of a made-up one;
//  l. IPv6 (issue 10, RFC 5118): a Via sent-by "[v6]:port" and Route/Record-Route URIs with "[v6]" hosts
//     parse (they lost the branch / were dropped), parameter values may hold IPv6 addresses
//     (received=2001:db8::9), our Via sent-by is bracketed, and a udp6 socket on :: is dual stack:
//     IPv4 sources are unmapped from ::ffff:a.b.c.d and IPv4 destinations mapped into it (else EINVAL).
//  m. TCP and TLS (options.streams): our own connections (transport/stream-transport.node.ts) stand in
//     for the package's stream transports; the Via of a request on one carries our end of it.
//
// Responses to a request go back to where it came from (the package's server transaction answers on
// the request's source address and port), and the package fills received/rport into the top Via of
// requests that asked with rport: RFC 3581 §4 / RFC 3261 §18.2.2 for clients behind a NAT.

import * as dgram from 'node:dgram';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import * as sip from 'sip';
import { createDnsQueries } from './dns/dns-queries.node';
import { StreamHops } from './transport/stream-hops.node';
import { isCertificateError } from './transport/tls-errors';
import { mustSwitchToTcp, withPreferredTransport, type SipTransportSetting } from './transport/transport-choice';
import { ServerLocator } from './dns/server-locator';
import { gateDatagram, DEFAULT_GATE_LIMITS, RECOGNISED_METHODS, type GateConfig } from './message-gate';
import { RateLimiter, DEFAULT_RATE_LIMITS, type RateLimitConfig, type RateLimitCounters } from './rate-limit';
import { ALLOW, createResponse, withoutEmptyHeaders } from './sip-headers';
import { newTag } from './sip-random';
import { sampleInvite } from './invite-warm-up';
import { isRequest, type SipMessage, type SipRequest, type SipResponse, type SipVia } from './sip-message';
import type { Destination, HopTarget, RequestHandler, ResolvedHop, ResponseHandler, SentRequest, SipTransportHost } from './sip-transport';
import type { SipTraceEntry } from './user-agent-api';
import type { Logger } from '../util/logger';

export interface SipStackOptions {
  /** Address to bind; 0.0.0.0 = all IPv4, :: = all IPv4 and IPv6 (one dual-stack socket), ::1 = IPv6 loopback. */
  bindAddress: string;
  /** UDP port; 0 = any free port. */
  port: number;
  logger: Logger;
  /** Bound on DNS lookups, so an unreachable resolver cannot stall a call (ms). */
  dnsTimeoutMs?: number;
  /** DNS servers ("IP" or "IP:PORT") for RFC 3263 lookups instead of the system's (--dns-server). */
  dnsServers?: readonly string[];
  /** Per-source request rates (default DEFAULT_RATE_LIMITS). */
  rateLimits?: RateLimitConfig;
  /** Server transactions alive at once before new requests are dropped (default 1000). */
  maxServerTransactions?: number;
  /** Monotonic milliseconds for the rate limiter (tests inject their own). */
  now?: () => number;
  /**
   * RFC 3261 §17.1.1.1 transaction timers in ms (defaults T1 500, T2 4000, T4 5000); Timers B, D, F, H,
   * J, L, M are 64*T1. Tests shorten them to see a timeout without waiting 32 s.
   */
  timers?: { t1Ms?: number; t2Ms?: number; t4Ms?: number };
  /** The transport for URIs that name none (account setting, --transport); default UDP. */
  transport?: SipTransportSetting;
  /** A private CA (PEM) trusted for TLS besides the system's (--ca-file). */
  caFile?: string;
  /** RFC 5626 §4.4.1 CRLF ping interval on TCP/TLS connections (ms, default 90 s; 0 = off). */
  streamKeepAliveMs?: number;
  /** RFC 3261 §18.1.1: requests over 1300 bytes for a UDP target go over TCP when it answers there. Default true. */
  largeRequestsOverTcp?: boolean;
}

/** What the gate and the limits did since start: for diagnostics and the flood report. */
export interface SipStackCounters {
  datagrams: number;
  passed: number;
  /** Answered by the gate with an error status, by status. */
  rejected: Record<number, number>;
  /** Dropped by the gate without an answer (oversize, garbage, bad responses, keep-alives excluded). */
  dropped: number;
  keepAlives: number;
  /** Dropped because the source went over its rate. */
  rateLimited: number;
  /** Dropped because the server transaction cap was reached. */
  overloaded: number;
  limits: RateLimitCounters;
}

/** Individual "malformed" warnings per window before they are only counted (a flood must not flood the log). */
const WARNINGS_PER_WINDOW = 5;
const WARNING_WINDOW_MS = 10_000;

const HIGH = /[^\u0020-\u007e\r\n\t]/;

/** UTF-8 text to the package's 'binary' strings (one char per byte). */
function toWire(s: string): string {
  return HIGH.test(s) ? Buffer.from(s, 'utf8').toString('latin1') : s;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** The package's 'binary' strings back to text: UTF-8 when it decodes as such, else kept as Latin-1. */
function fromWire(s: string): string {
  if (!HIGH.test(s)) return s;
  try {
    return utf8.decode(Buffer.from(s, 'latin1'));
  } catch {
    return s;
  }
}

/** Deep copy with every string converted (display names, bodies, any header text). */
function mapStrings(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapStrings(x, f));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapStrings(x, f);
    return out;
  }
  return v;
}

function toPackage(m: SipMessage): sip.Message {
  return mapStrings(withoutEmptyHeaders(m), toWire) as sip.Message;
}

/** The shape checks the package's checkMessage did not make, so pure code can trust the types. */
function fromPackage(m: sip.Message): SipMessage | undefined {
  const out = mapStrings(m, fromWire) as SipMessage;
  const h = out.headers;
  const ok =
    Array.isArray(h.via) &&
    h.via.every((v) => v && typeof v === 'object' && v.params && typeof v.params === 'object') &&
    typeof h['call-id'] === 'string' &&
    typeof h.to?.uri === 'string' &&
    typeof h.to.params === 'object' &&
    typeof h.from?.uri === 'string' &&
    typeof h.from.params === 'object' &&
    typeof h.cseq?.seq === 'number' &&
    Number.isFinite(h.cseq.seq) &&
    typeof h.cseq.method === 'string';
  return ok ? out : undefined;
}

/**
 * Why a request's transaction key cannot be trusted, or null. The package finds the server transaction
 * of our answer by Call-ID, CSeq method and Via branch; text that is not UTF-8 does not survive the
 * fromWire/toWire round trip byte for byte, so the answer would match no transaction and never be sent.
 * RFC 3261 §25.1 allows only printable ASCII there anyway (Call-ID = word ["@" word], Method = token).
 */
function badTransactionKey(m: sip.Message): string | null {
  const printable = (v: unknown) => typeof v !== 'string' || /^[\x21-\x7e]+$/.test(v);
  const via = Array.isArray(m.headers.via) ? (m.headers.via[0] as { params?: Record<string, unknown> } | undefined) : undefined;
  if (!printable(m.headers['call-id'])) return 'Call-ID is not printable ASCII';
  if (!printable((m.headers.cseq as { method?: unknown } | undefined)?.method)) return 'CSeq method is not a token';
  if (!printable(via?.params?.branch)) return 'Via branch is not a token';
  return null;
}

function summaryOf(m: sip.Message): string {
  return m.method ?? `${m.status ?? ''} ${m.reason ?? ''}`.trim();
}

function firstExternalAddress(family: 'IPv4' | 'IPv6'): string {
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((i) => i.family === family && !i.internal);
    if (found) return found.address;
  }
  return family === 'IPv6' ? '::1' : '127.0.0.1';
}

/** "192.0.2.1:5060" or "[2001:db8::1]:5060" for traces and warnings (RFC 5118 §4.1 style). */
function hostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

function isAnyAddress(a: string): boolean {
  return a === '0.0.0.0' || a === '::' || a === '';
}

export class SipStack implements SipTransportHost {
  private readonly o: SipStackOptions;
  private readonly log: Logger;
  private instance: sip.Instance | undefined;
  private packageOptions: sip.CreateOptions | undefined;
  /** Messages that came off the wire; a response the callback gets that is not here was made up by the package. */
  private readonly received = new WeakSet<object>();
  private readonly localByRemote = new Map<string, Promise<string>>();
  /** The settled part of localByRemote, for synchronous use when sending. */
  private readonly localKnown = new Map<string, string>();
  private handlers: { request: RequestHandler; trace: (e: SipTraceEntry) => void; warning: (m: string) => void } = {
    request: () => {},
    trace: () => {},
    warning: () => {},
  };
  private boundPort = 0;
  private readonly gateConfig: GateConfig = {
    ...DEFAULT_GATE_LIMITS,
    knownMethods: RECOGNISED_METHODS,
    allow: ALLOW,
    newTag,
  };
  private readonly limiter: RateLimiter;
  private readonly now: () => number;
  private readonly counters: Omit<SipStackCounters, 'limits'> = {
    datagrams: 0, passed: 0, rejected: {}, dropped: 0, keepAlives: 0, rateLimited: 0, overloaded: 0,
  };
  private warnWindow = { start: -Infinity, shown: 0, suppressed: 0 };
  private countersTimer: ReturnType<typeof setInterval> | undefined;
  private readonly locator: ServerLocator;
  /** For hops that name TCP/TLS (or sips:), and every hop of a TCP/TLS account: all three transports. */
  private readonly streamLocator: ServerLocator;
  private readonly streams: StreamHops;

  constructor(options: SipStackOptions) {
    this.o = options;
    this.log = options.logger;
    this.limiter = new RateLimiter(options.rateLimits ?? DEFAULT_RATE_LIMITS);
    this.now = options.now ?? (() => performance.now());
    // Targets of the bound address's family; UDP only unless the hop or the account names TCP/TLS (so a
    // UDP account resolves exactly as before, NAPTR included).
    const v6 = isIP(options.bindAddress) === 6;
    const dns = createDnsQueries({ ...(options.dnsServers ? { servers: options.dnsServers } : {}), timeoutMs: Math.min(options.dnsTimeoutMs ?? 5000, 2000) });
    const families: (4 | 6)[] = v6 ? (options.bindAddress === '::' ? [6, 4] : [6]) : [4];
    this.locator = new ServerLocator({ dns, supported: ['udp'], families, now: () => performance.now() });
    this.streamLocator = new ServerLocator({ dns, supported: ['udp', 'tcp', 'tls'], families, now: () => performance.now() });
    this.streams = new StreamHops({
      ...(options.caFile ? { caFile: options.caFile } : {}),
      maxMessageBytes: this.gateConfig.maxBytes,
      ...(options.streamKeepAliveMs !== undefined ? { keepAliveMs: options.streamKeepAliveMs } : {}),
      stringify: (m) => sip.stringify(m as sip.Message),
      gate: (data, remote) => this.onDatagram(data, remote),
      warn: (message) => {
        this.log.warn(message);
        this.handlers.warning(message);
      },
      debug: (message, fields) => this.log.debug(message, fields),
    });
  }

  stats(): SipStackCounters {
    return { ...this.counters, rejected: { ...this.counters.rejected }, limits: this.limiter.stats() };
  }

  /**
   * The first few problems of each 10 s window are reported one by one; the rest are counted and
   * summed up when the next window opens, so a flood costs a counter, not a log line (and stdout) each.
   */
  private warnMalformed(message: string): void {
    const now = this.now();
    const w = this.warnWindow;
    if (now - w.start >= WARNING_WINDOW_MS) {
      if (w.suppressed > 0) {
        const summary = `${w.suppressed} more bad or excess SIP datagrams in the last ${Math.round((now - w.start) / 1000)} s (not reported one by one)`;
        this.log.warn(summary);
        this.handlers.warning(summary);
      }
      this.warnWindow = { start: now, shown: 0, suppressed: 0 };
    }
    if (this.warnWindow.shown < WARNINGS_PER_WINDOW) {
      this.warnWindow.shown++;
      this.log.warn(message);
      this.handlers.warning(message);
    } else {
      this.warnWindow.suppressed++;
    }
  }

  /**
   * Every datagram, before the package parses it: the strict gate (message-gate.ts), then per-source
   * rate limits on the requests it lets through. Returns true to let the package have it, a Buffer to
   * send back (a stateless error answer), or false to drop it.
   */
  private onDatagram(data: Buffer, rinfo: { address: string; port: number }): boolean | Buffer {
    this.counters.datagrams++;
    const from = hostPort(rinfo.address, rinfo.port);
    const verdict = gateDatagram(data.toString('latin1'), this.gateConfig);
    if (verdict.action === 'pass') {
      if (verdict.kind === 'request' && verdict.method !== 'ACK' && !this.limiter.allow(rinfo.address, verdict.method, this.now())) {
        this.counters.rateLimited++;
        this.warnMalformed(`rate limit: dropped a ${verdict.method} from ${from}`);
        return false;
      }
      this.counters.passed++;
      return true;
    }
    if (verdict.action === 'drop') {
      if (verdict.reason === 'keep-alive') {
        this.counters.keepAlives++;
        return false;
      }
      this.counters.dropped++;
      this.warnMalformed(`malformed SIP datagram (${data.length} bytes) from ${from}: ${verdict.reason}`);
      return false;
    }
    // Error answers are rate limited too (as "other requests"): a flood of junk gets a few, then silence.
    if (!this.limiter.allow(rinfo.address, 'invalid', this.now())) {
      this.counters.rateLimited++;
      this.warnMalformed(`rate limit: dropped a bad ${verdict.method} from ${from}`);
      return false;
    }
    this.counters.rejected[verdict.status] = (this.counters.rejected[verdict.status] ?? 0) + 1;
    this.warnMalformed(`malformed SIP datagram (${data.length} bytes) from ${from}: ${verdict.status} ${verdict.reason}`);
    const statusLine = verdict.response.slice(0, verdict.response.indexOf('\r\n'));
    const text = data.toString('latin1');
    const callId = /\r\n(?:Call-ID|i)[ \t]*:[ \t]*([^\r\n]*)/i.exec(text.slice(0, 4096))?.[1] ?? '';
    this.handlers.trace({ direction: 'in', time: Date.now(), remote: from, callId, summary: verdict.method, raw: fromWire(text) });
    this.handlers.trace({ direction: 'out', time: Date.now(), remote: from, callId, summary: statusLine.slice('SIP/2.0 '.length), raw: verdict.response });
    return Buffer.from(verdict.response, 'latin1');
  }

  setHandlers(handlers: SipStack['handlers']): void {
    this.handlers = handlers;
  }

  start(): Promise<Destination> {
    if (this.instance) return Promise.reject(new Error('SIP stack already started'));
    return new Promise<Destination>((resolve, reject) => {
      let listening = false;
      const options: sip.CreateOptions = {
        udp: true,
        tcp: false,
        address: this.o.bindAddress,
        port: this.o.port,
        publicAddress: isAnyAddress(this.o.bindAddress) ? '127.0.0.1' : this.o.bindAddress,
        logger: {
          send: (m, target) => this.trace('out', m, hostPort(target.address, target.port)),
          recv: (m, remote) => {
            this.received.add(m);
            this.trace('in', m, hostPort(remote.address, remote.port));
          },
          error: (e) => {
            const err = e instanceof Error ? e : new Error(String(e));
            const code = (err as NodeJS.ErrnoException).code;
            if (!listening && (err as NodeJS.ErrnoException).syscall === 'bind') {
              this.destroy();
              reject(new Error(`cannot bind SIP to ${this.o.bindAddress}:${this.o.port}: ${code ?? err.message}`));
              return;
            }
            this.log.warn('sip stack', { error: err.message });
            this.handlers.warning(err.message);
          },
        },
        gate: (data, rinfo) => this.onDatagram(data, rinfo),
        streams: this.streams.packageStreams(),
        maxServerTransactions: this.o.maxServerTransactions ?? 1000,
        timers: { T1: this.o.timers?.t1Ms, T2: this.o.timers?.t2Ms, T4: this.o.timers?.t4Ms },
        onOverload: (m, remote) => {
          this.counters.overloaded++;
          this.warnMalformed(`too many open SIP transactions: dropped a ${String(m.method)} from ${remote.address}:${remote.port}`);
        },
        onListening: (a) => {
          listening = true;
          // What the gate and the limits did, every 2 s while datagrams arrive: at debug, or at info
          // with SOFTPHONE_DIAGNOSTICS=1 (npm run flood reads it).
          let last = -1;
          const report = process.env['SOFTPHONE_DIAGNOSTICS'] === '1' ? this.log.info : this.log.debug;
          this.countersTimer = setInterval(() => {
            if (this.counters.datagrams === last) return;
            last = this.counters.datagrams;
            report('sip gate', this.stats() as unknown as Record<string, unknown>);
          }, 2000);
          this.countersTimer.unref();
          this.boundPort = a.port;
          this.log.info('SIP listening', { address: a.address, port: a.port });
          resolve({ address: a.address, port: a.port });
          setImmediate(() => this.warmUpParser());
        },
      };
      this.packageOptions = options;
      try {
        this.instance = sip.create(options, (m, remote) => this.onPackageRequest(m, remote));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /**
   * A sample INVITE through the gate, the package's parser and our conversions, and a 180 back to text,
   * right after binding: V8 compiles code on first use, and the first real INVITE paid ~50 ms for this
   * before its 100 Trying (issue 12). No counters, handlers or sockets are touched.
   */
  private warmUpParser(): void {
    try {
      // Node loads perf_hooks on the first read of the global `performance`: 1.5-2 ms that the first
      // INVITE's rate-limit check paid before its 100 Trying (a CPU profile of a fresh `listen`).
      this.now();
      const text = sip.stringify(toPackage(sampleInvite()));
      gateDatagram(text, this.gateConfig);
      const m = sip.parse(Buffer.from(text, 'latin1'));
      const req = m ? fromPackage(m) : undefined;
      if (!m || !req || !isRequest(req) || badTransactionKey(m)) return;
      summaryOf(m);
      sip.stringify(toPackage(createResponse(req, 180, { headers: { server: 'warm-up' } })));
    } catch {
      // Nothing depends on it.
    }
  }

  private destroy(): void {
    clearInterval(this.countersTimer);
    this.streams.close();
    const inst = this.instance;
    this.instance = undefined;
    try {
      inst?.destroy();
    } catch (err) {
      this.log.warn('closing the SIP socket failed', { error: String(err) });
    }
  }

  async stop(): Promise<void> {
    this.destroy();
  }

  private trace(direction: 'in' | 'out', m: sip.Message, remote: string): void {
    const callId = typeof m.headers['call-id'] === 'string' ? fromWire(m.headers['call-id']) : '';
    // The message as text only when someone reads it (the call flow, a debug log): serialising every
    // message again cost the first INVITE ~0.5 ms before its 100 Trying (issue 12), and a CLI at the
    // info level never looks. Read once, then kept.
    let raw: string | undefined;
    const text = (): string => {
      if (raw !== undefined) return raw;
      try {
        raw = fromWire(sip.stringify(m));
      } catch {
        raw = summaryOf(m);
      }
      return raw;
    };
    this.handlers.trace({
      direction,
      time: Date.now(),
      remote,
      callId,
      summary: fromWire(summaryOf(m)),
      get raw() {
        return text();
      },
    });
  }

  private onPackageRequest(m: sip.Message, remote: sip.Remote): void {
    const req = fromPackage(m);
    const badKey = badTransactionKey(m);
    if (!req || !isRequest(req) || badKey) {
      this.warnMalformed(`${badKey ? `bad SIP request (${badKey})` : 'unusable SIP request'} from ${remote.address}:${remote.port}`);
      // Answered from the package's own (raw) message, so it finds the transaction (RFC 3261 §8.2.2: 400);
      // a server transaction nobody answers would also stay in the package's map.
      if (m.method !== 'ACK') this.answerRaw(m, 400, 'Bad Request');
      return;
    }
    const protocol = String(remote.protocol ?? 'UDP').toLowerCase();
    const transport: Pick<Destination, 'transport'> = protocol === 'tcp' ? { transport: 'tcp' } : protocol === 'tls' ? { transport: 'tls' } : {};
    try {
      this.handlers.request(req, { address: remote.address, port: remote.port, ...transport });
    } catch (err) {
      this.log.error('request handler failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      this.sendResponse(createResponse(req, 500));
    }
  }

  /** Which local IP reaches `remote`: the bound IP, or the kernel's route choice (connect() on a UDP socket sends nothing). */
  localFor(remoteAddress: string, remote?: Destination): Promise<Destination> {
    const onStream = remote ? this.streams.localTo(remote) : undefined;
    if (onStream) return Promise.resolve(onStream);
    const port = this.boundPort;
    if (!isAnyAddress(this.o.bindAddress)) return Promise.resolve({ address: this.o.bindAddress, port });
    let p = this.localByRemote.get(remoteAddress);
    if (!p) {
      p = new Promise<string>((resolve) => {
        const s = dgram.createSocket(isIP(remoteAddress) === 6 ? 'udp6' : 'udp4');
        const done = (addr: string): void => {
          try {
            s.close();
          } catch {
            // already closed
          }
          this.localKnown.set(remoteAddress, addr);
          resolve(addr);
        };
        // No route to it (yet): the first non-loopback address is the best guess, loopback the last resort.
        s.on('error', () => done(firstExternalAddress(isIP(remoteAddress) === 6 ? 'IPv6' : 'IPv4')));
        s.connect(9, remoteAddress, () => done(s.address().address));
      });
      this.localByRemote.set(remoteAddress, p);
    }
    return p.then((address) => ({ address, port }));
  }

  async resolve(target: HopTarget): Promise<ResolvedHop> {
    const [first] = await this.resolveAll(target);
    if (!first) throw new Error(`cannot resolve ${target.host}`);
    return first;
  }

  /**
   * RFC 3263 §4 (dns/server-location.ts): every server of the hop, best first, failed ones last. A
   * TCP/TLS hop is the first server that accepts a connection (our end of it is the Via and Contact).
   */
  async resolveAll(hop: HopTarget): Promise<ResolvedHop[]> {
    const target = withPreferredTransport(hop, this.o.transport);
    const onStreams = target.transport !== undefined || target.secure === true;
    const ms = this.o.dnsTimeoutMs ?? 5000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const located = await Promise.race([
      (onStreams ? this.streamLocator : this.locator).locate(target).finally(() => clearTimeout(timer)),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`cannot resolve ${target.host}: DNS timeout`)), ms);
        timer.unref();
      }),
    ]);
    if (onStreams && located.some((t) => t.transport === 'tcp' || t.transport === 'tls')) return [await this.firstConnected(located, target.host)];
    return Promise.all(
      located.map(async (t) => ({ destination: { address: t.address, port: t.port }, local: await this.localFor(t.address) })),
    );
  }

  /** The first located server that takes a connection (RFC 3263 §4.3: the next one when one fails). */
  private async firstConnected(located: readonly { transport: string; address: string; port: number }[], host: string): Promise<ResolvedHop> {
    let first: Error | undefined;
    for (const t of located) {
      if (t.transport !== 'tcp' && t.transport !== 'tls') {
        return { destination: { address: t.address, port: t.port }, local: await this.localFor(t.address) };
      }
      try {
        return await this.streams.hop({ transport: t.transport, address: t.address, port: t.port, host });
      } catch (err) {
        first ??= err instanceof Error ? err : new Error(String(err));
        this.markUnreachable({ address: t.address, port: t.port, transport: t.transport }, 32);
      }
    }
    // A refused or timed-out connection is like a UDP timeout (the registerer tries again later); a
    // certificate that is not trusted or not for this host will not fix itself.
    const err = first ?? new Error(`cannot connect to ${host}`);
    throw Object.assign(err, { retryable: !isCertificateError(err as { code?: unknown }) });
  }

  markUnreachable(destination: Destination, seconds: number): void {
    this.log.info('server unreachable, trying others first', { to: `${destination.address}:${destination.port}`, seconds });
    const key = { address: destination.address, port: destination.port, transport: destination.transport ?? 'udp' };
    this.locator.markUnreachable(key, seconds);
    this.streamLocator.markUnreachable(key, seconds);
  }

  sendRequest(request: SipRequest, to: Destination, onResponse?: ResponseHandler): SentRequest {
    const wire = toPackage(request);
    const dest: sip.Target = {
      protocol: to.transport ? to.transport.toUpperCase() : 'UDP',
      address: to.address,
      port: to.port,
      ...(to.serverName ? { servername: to.serverName } : {}),
    };
    const deliver = (): void => {
      const inst = this.instance;
      if (!inst || !this.packageOptions) throw new Error('SIP stack not started');
      // Via and the package's idea of "us" use publicAddress at send time: the address that reaches
      // this peer (known from resolve(), which every request's destination went through).
      const local = isAnyAddress(this.o.bindAddress) ? this.localKnown.get(to.address) : this.o.bindAddress;
      if (local) this.packageOptions.publicAddress = local;
      inst.send(wire, onResponse ? (res) => this.onPackageResponse(res, request, onResponse) : undefined, dest);
    };
    try {
      // The size with the Via the package adds (~90 bytes: "Via: SIP/2.0/UDP host:port;rport;branch=...").
      if (this.o.largeRequestsOverTcp !== false && mustSwitchToTcp(request.method, sip.stringify(wire).length + 90, to.transport, true)) {
        // RFC 3261 §18.1.1: over TCP to the same server when it takes a connection, else UDP as before.
        this.streams.tcpReaches(to.address, to.port).then((tcp) => {
          if (!tcp) return;
          dest.protocol = 'TCP';
          this.log.info(`${request.method} of more than 1300 bytes: sent over TCP (RFC 3261 §18.1.1)`, { to: `${to.address}:${to.port}` });
        }).finally(() => {
          try {
            deliver();
          } catch (err) {
            this.log.warn(`cannot send ${request.method}`, { error: String(err) });
          }
        });
      } else deliver();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn(`cannot send ${request.method}`, { error: message });
      this.handlers.warning(`cannot send ${request.method} to ${to.address}:${to.port}: ${message}`);
      if (onResponse && request.method !== 'ACK') queueMicrotask(() => onResponse(createResponse(request, 503, { toTag: null }), { synthetic: true }));
    }
    return {
      topVia: (): SipVia | undefined => {
        const via = (wire.headers.via as unknown[] | undefined)?.[0];
        return via ? (mapStrings(via, fromWire) as SipVia) : undefined;
      },
      resend: (): void => {
        try {
          this.instance?.send(wire, undefined, dest);
        } catch (err) {
          this.log.warn('resend failed', { error: String(err) });
        }
      },
    };
  }

  // (A real 503 reaches us as itself: the patch stops the package's sequentialSearch from swapping it.)
  private onPackageResponse(res: sip.Message, request: SipRequest, onResponse: ResponseHandler): void {
    const synthetic = !this.received.has(res);
    const converted = fromPackage(res);
    try {
      if (!converted || isRequest(converted)) {
        // The package builds made-up responses from our request; if even that fails, answer from the request.
        onResponse(createResponse(request, typeof res.status === 'number' ? res.status : 503, { toTag: null }), { synthetic: true });
        return;
      }
      onResponse(converted as SipResponse, { synthetic });
    } catch (err) {
      // Made-up responses come from the package's timers, where a throw would end the process.
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      this.log.error('response handler failed', { error: message });
      this.handlers.warning(`internal error handling a ${res.status ?? '?'} response: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** CRLF CRLF from our SIP socket: what X-Lite/MicroSIP send to keep a UDP NAT binding open. */
  sendKeepAlive(to: Destination): void {
    const inst = this.instance;
    // TCP/TLS connections ping by themselves (RFC 5626 §4.4.1, stream-transport.node.ts).
    if (!inst || to.transport) return;
    this.log.debug('keep-alive', { to: `${to.address}:${to.port}` });
    inst.sendRaw({ address: to.address, port: to.port }, Buffer.from('\r\n\r\n', 'latin1'));
  }

  private answerRaw(m: sip.Message, status: number, reason: string): void {
    try {
      const res = sip.makeResponse(m, status, reason);
      // RFC 3261 §8.2.6.2: our tag on a To that had none (makeResponse shares the request's To object).
      const to = res.headers.to as { params?: Record<string, unknown> } | undefined;
      if (to && typeof to === 'object' && !to.params?.['tag']) res.headers.to = { ...to, params: { ...to.params, tag: newTag() } };
      this.instance?.send(res);
    } catch (err) {
      this.log.warn('cannot send response', { status, error: String(err) });
    }
  }

  sendResponse(response: SipResponse): void {
    try {
      this.instance?.send(toPackage(response));
    } catch (err) {
      this.log.warn('cannot send response', { status: response.status, error: String(err) });
    }
  }
}

export function createSipStack(options: SipStackOptions): SipStack {
  return new SipStack(options);
}
