// Registration (RFC 3261 §10): REGISTER with Contact and expiry, digest retry on 401/407, refresh
// before the granted expiry, un-REGISTER with expires 0. Pure: transport and clock are injected.

import { chooseChallenge, DigestNonceState, type DigestCredentials } from './digest-auth';
import { hopOf } from './dialog';
import { ALLOW, contactsOf, headerText, intOf, MAX_FORWARDS, statusText } from './sip-headers';
import { newCallId, newTag } from './sip-random';
import { parseSipUri, quoteDisplayName } from './sip-uri';
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
  /** Requested lifetime in seconds (§10.2.1). */
  expires: number;
  userAgent: string;
  onState: (state: RegistrationState) => void;
  /** Seconds before trying again after a failure that may heal (timeout, 5xx, 408); 0 = never. Default 60. */
  retrySeconds?: number;
}

/** When to refresh a binding granted for `granted` seconds: half-way, or 5 s early for short ones (§10.2.4). */
export function refreshDelaySeconds(granted: number): number {
  return Math.max(1, Math.min(granted / 2, granted - 5));
}

function sameContact(a: string, b: string): boolean {
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

interface Attempt {
  generation: number;
  expires: number;
  authTries: number;
  hop: ResolvedHop;
  authorization?: { header: 'authorization' | 'proxy-authorization'; value: Record<string, string> };
}

export class Registerer {
  private readonly o: RegistererOptions;
  private readonly callId = newCallId();
  private readonly fromTag = newTag();
  private readonly nonces = new DigestNonceState();
  private cseq = 0;
  private generation = 0;
  private timer: TimerId | undefined;
  private current: RegistrationState = { state: 'unregistered' };
  private waiters: Array<(s: RegistrationState) => void> = [];
  private contactUri = '';
  private disposed = false;

  constructor(options: RegistererOptions) {
    this.o = options;
  }

  get state(): RegistrationState {
    return this.current;
  }

  /** REGISTER now; resolves when registered or failed. Refreshes keep running until unregister(). */
  register(): Promise<RegistrationState> {
    const done = new Promise<RegistrationState>((resolve) => this.waiters.push(resolve));
    this.start(this.o.expires, true);
    return done;
  }

  /** REGISTER with expires 0 (RFC 3261 §10.2.2); resolves once the registrar answered (or did not). */
  async unregister(): Promise<void> {
    this.o.clock.clearTimeout(this.timer);
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
    this.o.transport.resolve(hop).then(
      (resolved) => {
        if (generation !== this.generation) return;
        this.send({ generation, expires, authTries: 0, hop: resolved });
      },
      (err: unknown) => this.fail(generation, expires, err instanceof Error ? err.message : String(err)),
    );
  }

  private buildRequest(a: Attempt): SipRequest {
    const local = a.hop.local;
    this.contactUri = `sip:${this.o.contactUser}@${local.address.includes(':') ? `[${local.address}]` : local.address}:${local.port}`;
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
        contact: [{ uri: this.contactUri, params: { expires: String(a.expires) } }],
        expires: String(a.expires),
        'max-forwards': MAX_FORWARDS,
        'user-agent': this.o.userAgent,
        allow: ALLOW,
      },
    };
    if (this.o.outboundProxy) req.headers.route = [{ uri: this.o.outboundProxy, params: {} }];
    if (a.authorization) req.headers[a.authorization.header] = [a.authorization.value];
    return req;
  }

  private send(a: Attempt): void {
    const req = this.buildRequest(a);
    this.o.transport.sendRequest(req, a.hop.destination, (res, info) => {
      if (a.generation !== this.generation || this.disposed) return;
      this.onResponse(a, res, info.synthetic);
    });
  }

  private onResponse(a: Attempt, res: SipResponse, synthetic: boolean): void {
    if (res.status < 200) return;
    const dest = a.hop.destination;
    if (synthetic) {
      const reason = res.status === 408 ? `timeout: no answer from ${fmt(dest)}` : `cannot reach ${fmt(dest)} (${statusText(res)})`;
      this.fail(a.generation, a.expires, reason, undefined, true);
      return;
    }
    if (res.status >= 200 && res.status < 300) {
      if (a.expires === 0) {
        this.setState({ state: 'unregistered' });
        return;
      }
      const granted = grantedExpires(res, this.contactUri, a.expires);
      if (granted <= 0) {
        this.fail(a.generation, a.expires, 'registrar granted no binding (expires 0)', res.status);
        return;
      }
      this.timer = this.o.clock.setTimeout(() => this.start(this.o.expires, false), refreshDelaySeconds(granted) * 1000);
      this.setState({ state: 'registered', expires: granted, contact: this.contactUri });
      return;
    }
    if (res.status === 401 || res.status === 407) {
      const challenge = chooseChallenge(res.status === 401 ? res.headers['www-authenticate'] : res.headers['proxy-authenticate']);
      if (!challenge) {
        this.fail(a.generation, a.expires, `${statusText(res)} (no usable digest challenge)`, res.status);
        return;
      }
      // Once per challenge; again only when the server says our nonce was merely stale (RFC 2617 §3.2.1).
      if (a.authTries > 0 && (!challenge.stale || a.authTries >= 3)) {
        this.fail(a.generation, a.expires, `${statusText(res)} (wrong password?)`, res.status);
        return;
      }
      const value = this.nonces.authorize(challenge, this.o.credentials, { method: 'REGISTER', uri: this.o.registrar });
      this.send({ ...a, authTries: a.authTries + 1, authorization: { header: res.status === 401 ? 'authorization' : 'proxy-authorization', value } });
      return;
    }
    if (res.status === 423 && a.expires > 0) {
      // §10.2.8: Interval Too Brief carries Min-Expires; ask for that instead (once).
      const min = intOf(headerText(res, 'min-expires'));
      if (min !== undefined && min > a.expires) {
        this.send({ ...a, expires: min, authorization: undefined });
        return;
      }
    }
    this.fail(a.generation, a.expires, statusText(res), res.status, res.status >= 500 || res.status === 408);
  }

  private fail(generation: number, expires: number, reason: string, status?: number, retryable = false): void {
    if (generation !== this.generation || this.disposed) return;
    if (expires === 0) {
      // An un-REGISTER that failed still leaves us not registered as far as the user is concerned.
      this.setState({ state: 'unregistered' });
      return;
    }
    const retry = this.o.retrySeconds ?? 60;
    if (retryable && retry > 0) this.timer = this.o.clock.setTimeout(() => this.start(this.o.expires, true), retry * 1000);
    this.setState(status === undefined ? { state: 'failed', reason } : { state: 'failed', reason, status });
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
