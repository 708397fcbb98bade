// Registration (RFC 3261 §10): REGISTER with Contact and expiry, digest retry on 401/407 (credentials
// kept for refreshes), Min-Expires remembered after 423, refresh before the granted expiry, un-REGISTER
// with expires 0, retries with back-off or after the server's Retry-After; never "registered" past the
// binding's expiry; behind a NAT, the Contact follows the address the registrar sees (RFC 3581
// received/rport). Pure: transport and clock are injected.

import { accountRealms, type AuthPolicy } from './auth-policy';
import type { DigestCredentials } from './digest-auth';
import { DigestClient, type AuthRound } from './digest-client';
import { hopOf } from './dialog';
import { ALLOW, headerText, intOf, MAX_FORWARDS, statusText, supportedHeader } from './sip-headers';
import { newCallId, newTag } from './sip-random';
import { sameDestination, type ViaMapping, viaMapping } from './nat-mapping';
import { quoteDisplayName } from './sip-uri';
import { failoverAfter, resolveTargets } from './target-failover';
import { contactUriFor, grantedExpires, refreshDelaySeconds, sameContact } from './registration-binding';
import { describeRetryAfter, retryAfterOf, type RetryAfter } from './retry-after';
import type { Clock, TimerId } from './sip-clock';
import type { SipRequest, SipResponse } from './sip-message';
import type { Destination, ResolvedHop, SipTransport } from './sip-transport';
import type { RegistrationState } from './user-agent-api';

export interface RegistererOptions {
  transport: SipTransport;
  clock: Clock;
  /** Address of record, sip:user@domain (To and From, RFC 3261 §10.2). */
  aor: string;
  /** Request-URI: the registrar's domain, sip:domain (§10.2: no user part). */
  registrar: string;
  /** Outbound proxy as a loose-routing Route URI (sip:proxy;lr), if requests go through one. */
  outboundProxy?: string;
  displayName?: string;
  /** User part of our Contact. */
  contactUser: string;
  credentials: DigestCredentials;
  /** Which challenges may have the password (issue 9). Default: the registrar domain's realm only. */
  authPolicy?: AuthPolicy;
  /** Requested lifetime in seconds (§10.2.1). */
  expires: number;
  userAgent: string;
  onState: (state: RegistrationState) => void;
  /**
   * Seconds before trying again after a failure that may heal (timeout, 5xx, 408); 0 = never. Doubles
   * with each failure in a row up to maxRetrySeconds (RFC 5626 §4.5 back-off, without the random part
   * so the schedule is predictable). Default 30 (RFC 5626's base-time when every flow failed).
   */
  retrySeconds?: number;
  /** Cap of the back-off. Default 1800 (RFC 5626 §4.5 max-time). */
  maxRetrySeconds?: number;
  /**
   * Put the address the registrar sees (received/rport of our Via) in Contact when it differs from
   * ours, so requests for us reach the NAT binding our REGISTER opened. Default true.
   */
  rewriteContact?: boolean;
  /** A new mapping was learned from a response (the first one, or a changed one). */
  onMapping?: (mapping: ViaMapping) => void;
}

/**
 * How many times in a row a 2xx may report a mapping other than the Contact it just bound before we
 * stop chasing it (a server or NAT that reports a new port each time would otherwise loop).
 */
const MAX_CONTACT_CHASES = 3;

export { grantedExpires, refreshDelaySeconds, sameContact };

/** 423 answers followed per REGISTER: each must raise the interval, and a server that keeps raising it is not followed forever. */
const MAX_INTERVAL_RETRIES = 2;

interface Attempt {
  generation: number;
  expires: number;
  /** Challenges answered for this REGISTER and its retries. */
  round: AuthRound;
  /** 423 answers followed for it. */
  intervalRetries: number;
  hop: ResolvedHop;
  /** Every server of the registrar's hop (RFC 3263), and which of them `hop` is: the rest are for failover. */
  targets: ResolvedHop[];
  index: number;
  /** Old Contacts this REGISTER removes (expires 0), filled in when it is built. */
  removing?: string[];
  /** The address in this REGISTER's Contact, filled in when it is built. */
  contactAddress?: Destination;
  /** Clock time the REGISTER went out: a binding it gets runs from no later than this. */
  sentAt?: number;
}

export class Registerer {
  private readonly o: RegistererOptions;
  private readonly callId = newCallId();
  private readonly fromTag = newTag();
  private readonly auth: DigestClient;
  /** The registrar's Min-Expires from a 423 (RFC 3261 §10.2.8): refreshes ask for at least this. */
  private minExpires = 0;
  private cseq = 0;
  private generation = 0;
  private timer: TimerId | undefined;
  /** Fires when the current binding runs out without a successful refresh. */
  private lapseTimer: TimerId | undefined;
  private current: RegistrationState = { state: 'unregistered' };
  private waiters: Array<(s: RegistrationState) => void> = [];
  private contactUri = '';
  private disposed = false;
  /** Where REGISTERs went and which local address reached it (the keep-alives use the same flow). */
  private lastHop: ResolvedHop | undefined;
  private mapping: ViaMapping | undefined;
  /** Contacts bound earlier that no longer reach us: removed (expires 0) by the next REGISTER (RFC 3261 §10.2.2). */
  private stale: string[] = [];
  private chases = 0;
  private failures = 0;
  /** The address of the Contact of the last 2xx (what requests for us are sent to). */
  private boundAddress: Destination | undefined;

  constructor(options: RegistererOptions) {
    this.o = options;
    this.auth = new DigestClient(options.credentials, this.authPolicy());
  }

  /** The lifetime to ask for: the configured one, raised to the registrar's Min-Expires once it told us. */
  private get wantedExpires(): number {
    return Math.max(this.o.expires, this.minExpires);
  }

  get state(): RegistrationState {
    return this.current;
  }

  /** The registrar's resolved address and our local address towards it, once a REGISTER went out. */
  get flow(): ResolvedHop | undefined {
    return this.lastHop;
  }

  /** The last mapping the registrar (or a keep-alive answer) reported, if it applies to our current local address. */
  get publicMapping(): ViaMapping | undefined {
    const m = this.mapping;
    return m && this.lastHop && sameDestination(m.local, this.lastHop.local) ? m : undefined;
  }

  /** The address in the Contact the registrar granted (public when rewritten), while registered. */
  get contactAddress(): Destination | undefined {
    return this.current.state === 'registered' ? this.boundAddress : undefined;
  }

  /**
   * A keep-alive answer reported where the registrar sees us. When that is no longer the address we
   * registered (the NAT gave us a new binding), REGISTER again at once with the new Contact.
   */
  observeMapping(m: ViaMapping): void {
    if (this.disposed || this.current.state !== 'registered') return;
    this.learnMapping(m);
    if (this.contactIsWrong() && this.chases < MAX_CONTACT_CHASES) {
      this.chases += 1;
      this.markStale(this.contactUri);
      this.start(this.wantedExpires, false);
    }
  }

  /**
   * The keep-alives went unanswered: the NAT binding (or the server) is gone, so requests for us get
   * lost. REGISTER again at once (a new binding, maybe a new public port); failures back off.
   */
  bindingLost(): void {
    if (this.disposed || this.current.state !== 'registered') return;
    this.setState({ state: 'registering' });
    this.start(this.wantedExpires, false);
  }

  /** REGISTER now; resolves when registered or failed. Refreshes keep running until unregister(). */
  register(): Promise<RegistrationState> {
    const done = new Promise<RegistrationState>((resolve) => this.waiters.push(resolve));
    this.start(this.wantedExpires, true);
    return done;
  }

  /** REGISTER with expires 0 (RFC 3261 §10.2.2); resolves once the registrar answered (or did not). */
  async unregister(): Promise<void> {
    this.o.clock.clearTimeout(this.timer);
    this.o.clock.clearTimeout(this.lapseTimer);
    const wasBound = this.current.state === 'registered' || this.current.state === 'registering';
    if (!wasBound) {
      this.generation += 1;
      this.setState({ state: 'unregistered' });
      return;
    }
    await new Promise<RegistrationState>((resolve) => {
      this.waiters.push(resolve);
      this.start(0, false);
    });
  }

  /** Stops timers and ignores whatever answers are still on the way. */
  dispose(): void {
    this.disposed = true;
    this.generation += 1;
    this.o.clock.clearTimeout(this.timer);
    this.o.clock.clearTimeout(this.lapseTimer);
    this.flush(this.current);
  }

  private start(expires: number, announce: boolean): void {
    if (this.disposed) return;
    this.o.clock.clearTimeout(this.timer);
    this.generation += 1;
    const generation = this.generation;
    if (announce && this.current.state !== 'registered') this.setState({ state: 'registering' });
    const hop = hopOf(this.o.outboundProxy ?? this.o.registrar);
    if (!hop) {
      this.fail(generation, expires, `bad registrar address ${this.o.outboundProxy ?? this.o.registrar}`);
      return;
    }
    resolveTargets(this.o.transport, hop).then(
      (targets) => {
        if (generation !== this.generation) return;
        const first = targets[0] as ResolvedHop;
        this.lastHop = first;
        this.send({ generation, expires, round: new Map(), intervalRetries: 0, hop: first, targets, index: 0 });
      },
      // A TCP/TLS connection that failed (not for its certificate) is retried like a UDP timeout.
      (err: unknown) => this.fail(generation, expires, err instanceof Error ? err.message : String(err), undefined, (err as { retryable?: unknown } | null)?.retryable === true),
    );
  }

  /** Our Contact address: the registrar's view of us when we rewrite and it applies, else our local address. */
  private contactTarget(local: Destination): Destination {
    const m = this.mapping;
    // The mapping says where, not how: the Contact keeps the transport of the flow (TCP/TLS).
    if ((this.o.rewriteContact ?? true) && m && sameDestination(m.local, local)) return local.transport ? { ...m.mapped, transport: local.transport } : m.mapped;
    return local;
  }

  private markStale(contact: string): void {
    if (contact !== '' && !this.stale.some((c) => sameContact(c, contact))) this.stale.push(contact);
  }

  /** Records a mapping; tells the owner when it is new. */
  private learnMapping(m: ViaMapping): void {
    const old = this.mapping;
    this.mapping = m;
    if (!old || !sameDestination(old.mapped, m.mapped) || !sameDestination(old.local, m.local)) this.o.onMapping?.(m);
  }

  /** True when the Contact we registered is not where the registrar now sees us. */
  private contactIsWrong(): boolean {
    if (!this.lastHop || this.contactUri === '') return false;
    return !sameContact(contactUriFor(this.o.contactUser, this.contactTarget(this.lastHop.local)), this.contactUri);
  }

  private buildRequest(a: Attempt): SipRequest {
    a.contactAddress = this.contactTarget(a.hop.local);
    this.contactUri = contactUriFor(this.o.contactUser, a.contactAddress);
    a.removing = this.stale.filter((c) => !sameContact(c, this.contactUri));
    const removals = a.removing.map((uri) => ({ uri, params: { expires: '0' } }));
    this.cseq += 1;
    const name = this.o.displayName ? quoteDisplayName(this.o.displayName) : undefined;
    const req: SipRequest = {
      method: 'REGISTER',
      uri: this.o.registrar,
      headers: {
        via: [],
        to: { ...(name ? { name } : {}), uri: this.o.aor, params: {} },
        from: { ...(name ? { name } : {}), uri: this.o.aor, params: { tag: this.fromTag } },
        // §10.2: the same Call-ID for every REGISTER to this registrar, CSeq increasing.
        'call-id': this.callId,
        cseq: { seq: this.cseq, method: 'REGISTER' },
        contact: [{ uri: this.contactUri, params: { expires: String(a.expires) } }, ...removals],
        expires: String(a.expires),
        'max-forwards': MAX_FORWARDS,
        'user-agent': this.o.userAgent,
        allow: ALLOW,
        ...supportedHeader(),
      },
    };
    if (this.o.outboundProxy) req.headers.route = [{ uri: this.o.outboundProxy, params: {} }];
    // RFC 3261 §22.3: the credentials of the last challenge go along again (nonce-count + 1), so a
    // refresh or a 423 retry is not challenged again while the nonce lasts; a new nonce gets answered.
    Object.assign(req.headers, this.auth.headersFor({ method: 'REGISTER', uri: this.o.registrar }));
    return req;
  }

  private authPolicy(): AuthPolicy {
    return this.o.authPolicy ?? { realms: accountRealms(this.o.registrar), refuseMd5WithoutQop: false };
  }

  private send(a: Attempt): void {
    const req = this.buildRequest(a);
    a.sentAt = this.o.clock.now();
    let sawResponse = false;
    this.o.transport.sendRequest(req, a.hop.destination, (res, info) => {
      if (a.generation !== this.generation || this.disposed) return;
      if (!info.synthetic) sawResponse = true;
      if (res.status >= 200 && this.failedOver(a, res, info, sawResponse)) return;
      this.onResponse(a, res, info.synthetic);
    });
  }

  /**
   * RFC 3263 §4.3: no answer at all, a transport error or a 503 from this server: the REGISTER goes to
   * the next server of the list as a new transaction (new branch; and CSeq + 1, which §10.2 asks of
   * every REGISTER with this Call-ID, so servers sharing one location store still accept it). The
   * credentials start over: the next server challenges with its own nonce. True if it was sent on.
   */
  private failedOver(a: Attempt, res: SipResponse, info: { synthetic: boolean }, sawResponse: boolean): boolean {
    const verdict = failoverAfter(res, info, sawResponse);
    if (!verdict) return false;
    this.o.transport.markUnreachable?.(a.hop.destination, verdict.unreachableSeconds);
    const next = a.targets[a.index + 1];
    if (!next) return false;
    this.lastHop = next;
    this.auth.clear();
    this.send({ generation: a.generation, expires: a.expires, round: new Map(), intervalRetries: 0, hop: next, targets: a.targets, index: a.index + 1 });
    return true;
  }

  private onResponse(a: Attempt, res: SipResponse, synthetic: boolean): void {
    if (res.status < 200) return;
    const dest = a.hop.destination;
    if (synthetic) {
      const reason = res.status === 408 ? `timeout: no answer from ${fmt(dest)}` : `cannot reach ${fmt(dest)} (${statusText(res)})`;
      this.fail(a.generation, a.expires, reason, undefined, true);
      return;
    }
    // RFC 3581 §4: the server wrote where it saw us into our Via; a challenge already tells us, so the
    // authenticated retry can carry the right Contact.
    const mapping = viaMapping(res);
    if (mapping) this.learnMapping(mapping);
    if (res.status >= 200 && res.status < 300) {
      const removed = a.removing ?? [];
      this.stale = this.stale.filter((c) => !removed.includes(c));
      if (a.expires === 0) {
        this.stale = [];
        this.setState({ state: 'unregistered' });
        return;
      }
      this.failures = 0;
      if (this.contactIsWrong() && this.chases < MAX_CONTACT_CHASES) {
        // The Contact just bound is behind the NAT: a request sent to it cannot reach us. RFC 3581 only
        // routes responses back; requests get in only through the binding our REGISTER opened (the
        // "flow" of RFC 5626 §4.2, without outbound). So register the address the registrar sees, and
        // remove this one in the same REGISTER.
        this.chases += 1;
        this.markStale(this.contactUri);
        this.start(this.wantedExpires, false);
        return;
      }
      if (!this.contactIsWrong()) this.chases = 0;
      const granted = grantedExpires(res, this.contactUri, a.expires);
      if (granted <= 0) {
        this.fail(a.generation, a.expires, 'registrar granted no binding (expires 0)', res.status);
        return;
      }
      this.timer = this.o.clock.setTimeout(() => {
        // Each refresh may chase a changed mapping again (the limit is per refresh period).
        this.chases = 0;
        this.start(this.wantedExpires, false);
      }, refreshDelaySeconds(granted) * 1000);
      this.watchLapse(granted, a);
      this.boundAddress = a.contactAddress;
      const pub = this.publicMapping;
      this.setState({ state: 'registered', expires: granted, contact: this.contactUri, ...(pub ? { publicAddress: { ...pub.mapped } } : {}) });
      return;
    }
    if (res.status === 401 || res.status === 407) {
      const hop = this.o.outboundProxy ?? this.o.registrar;
      // A REGISTER only ever goes to the registrar or the outbound proxy: the hop is the account's.
      const outcome = this.auth.onChallenge(res, { host: hop.replace(/^sips?:/i, '').replace(/;.*$/, ''), accountHop: true }, a.round);
      if ('fail' in outcome) {
        this.fail(a.generation, a.expires, outcome.reason, res.status);
        return;
      }
      this.send(a);
      return;
    }
    if (res.status === 423 && a.expires > 0) {
      // §10.2.8: Interval Too Brief carries Min-Expires; ask for that instead, with the credentials we
      // hold (the 423 came after they were checked), and keep asking for it on refreshes.
      const min = intOf(headerText(res, 'min-expires'));
      if (min !== undefined && min > a.expires && a.intervalRetries < MAX_INTERVAL_RETRIES) {
        this.minExpires = min;
        this.send({ ...a, expires: min, round: new Map(), intervalRetries: a.intervalRetries + 1 });
        return;
      }
    }
    // RFC 3261 §20.33 / §21.5.4: a 503 (or 500) with Retry-After says when to come back; the reason
    // shows it, and the retry waits exactly that long instead of our back-off.
    const retryAfter = retryAfterOf(res);
    const reason = retryAfter ? `${statusText(res)}, ${describeRetryAfter(retryAfter)}` : statusText(res);
    this.fail(a.generation, a.expires, reason, res.status, res.status >= 500 || res.status === 408, retryAfter);
  }

  /**
   * RFC 3261 §10.2.4: the binding lapses `granted` seconds after the registrar got the REGISTER. A
   * refresh still unanswered by then (lost responses, a server that only said 100 Trying) must not
   * leave us showing "registered": the state turns 'failed'; the refresh's own transaction goes on and
   * its timeout (Timer F) schedules the next try as any failure does.
   */
  private watchLapse(granted: number, a: Attempt): void {
    this.o.clock.clearTimeout(this.lapseTimer);
    const left = (a.sentAt ?? this.o.clock.now()) + granted * 1000 - this.o.clock.now();
    this.lapseTimer = this.o.clock.setTimeout(() => {
      if (this.disposed || this.current.state !== 'registered') return;
      this.setState({ state: 'failed', reason: `registration expired: the refresh got no answer from ${fmt(a.hop.destination)}` });
    }, Math.max(0, left));
  }

  private fail(generation: number, expires: number, reason: string, status?: number, retryable = false, retryAfter?: RetryAfter): void {
    if (generation !== this.generation || this.disposed) return;
    this.o.clock.clearTimeout(this.lapseTimer);
    if (expires === 0) {
      // An un-REGISTER that failed still leaves us not registered as far as the user is concerned.
      this.setState({ state: 'unregistered' });
      return;
    }
    const retry = this.o.retrySeconds ?? 30;
    let retryIn: number | undefined;
    if (retryable && retry > 0) {
      // A server-given Retry-After of 0 still waits a second: a hostile server must not get a tight loop.
      retryIn = retryAfter
        ? Math.max(1, retryAfter.seconds)
        : Math.min(this.o.maxRetrySeconds ?? 1800, retry * 2 ** Math.min(this.failures, 16));
      this.failures += 1;
      this.timer = this.o.clock.setTimeout(() => this.start(this.wantedExpires, true), retryIn * 1000);
    }
    this.setState({
      state: 'failed',
      reason,
      ...(status === undefined ? {} : { status }),
      ...(retryIn === undefined ? {} : { retryInSeconds: retryIn }),
      ...(retryAfter ? { retryAfterSeconds: retryAfter.seconds } : {}),
    });
  }

  private setState(s: RegistrationState): void {
    this.current = s;
    this.o.onState(s);
    if (s.state !== 'registering') this.flush(s);
  }

  private flush(s: RegistrationState): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve(s);
  }
}

function fmt(d: Destination): string {
  return `${d.address}:${d.port}`;
}
