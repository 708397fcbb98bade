// The user agent over an injected transport: registration (with its NAT keep-alives and diagnosis),
// dialing, and the UAS core that routes incoming requests (new INVITEs, in-dialog requests by dialog
// id, CANCEL by transaction, OPTIONS).

import { capabilityHeaders, unsupportedMethodStatus, type CallSession } from './call-session';
import { mediaWatchTimes } from './call-media-watch';
import { accountRealms, type AuthPolicy } from './auth-policy';
import { dialogId, hopOf } from './dialog';
import { judgeIncomingInvite, sameDestination } from './incoming-filter';
import { resolveDialTarget } from './dial-target';
import { IncomingCall } from './invitation';
import { warmUpIncomingCall } from './invite-warm-up';
import { OutgoingCall } from './inviter';
import { Registerer } from './registerer';
import { DEFAULT_SESSION_TIMER } from './session-timer';
import { RegistrationNat } from './registration-nat';
import { judgeReceivedMessage, sendPageMessage, type MessageSendResult } from './pager';
import { judgeReplacesInvite, referredInviteHeaders, replaceWhenAnswered, transferPolicyOf } from './transfer-host';
import { TransferAsks, type TransferAsk } from './transfer-asks';
import { ACCEPT_BY_EVENT, judgeUnsolicitedNotify, SubscriptionTable } from './subscriptions';
import { Publication } from './publication';
import type { OwnPresence } from './pidf-document';
import { resolveTargets } from './target-failover';
import { ALLOW, createResponse, unsupportedRequired } from './sip-headers';
import { formatHostPort, parseHostPort, parseSipUri } from './sip-uri';
import { Emitter } from '../util/emitter';
import type { CallContext } from './call-context';
import type { ReferTarget } from './refer';
import type { Clock } from './sip-clock';
import type { SipRequest } from './sip-message';
import type { Destination, SipTransportHost } from './sip-transport';
import type { Call, RegistrationState, SubscribeRequest, UserAgent, UserAgentConfig, UserAgentEvents } from './user-agent-api';
import type { Logger } from '../util/logger';
import { callSrtp, type SignallingTransport } from './srtp-policy';

export const DEFAULT_USER_AGENT = 'Softphone/0.1';
/**
 * Incoming calls not yet answered, at once, and from one source address: past these an INVITE gets
 * 486 before anything is allocated for it (each ringing call holds an RTP port pair, and an INVITE
 * flood exhausted the range, issue 9). A person rings us once or twice at a time.
 */
const MAX_RINGING = 8;
const MAX_RINGING_PER_SOURCE = 2;
const DIRECT_CONTACT_USER = 'softphone';

export interface UserAgentCoreOptions {
  transport: SipTransportHost;
  clock: Clock;
  config: UserAgentConfig;
  log: Logger;
  /** How our SIP travels, which decides whether SDES keys may go into SDP (srtp-policy.ts). Default udp. */
  signalling?: SignallingTransport;
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[') || host.includes(':');
}

/** Transfers are acted on or asked about when the embedder (CLI) or the account's setting says so. */
function acceptsTransfer(config: UserAgentConfig): boolean {
  return transferPolicyOf(config) !== 'never';
}

/** host:port with the default port made explicit, for "is this the same server" comparisons. */
function serverKey(host: string, port: number | undefined): string {
  return `${host.toLowerCase()}:${port ?? 5060}`;
}

export class UserAgentCore implements UserAgent {
  private readonly o: UserAgentCoreOptions;
  private readonly events = new Emitter<UserAgentEvents>();
  private readonly registerer: Registerer | undefined;
  private readonly nat: RegistrationNat | undefined;
  private readonly ctx: CallContext;
  private readonly dialogs = new Map<string, CallSession>();
  /** Incoming INVITEs not yet ended, by Call-ID + top Via branch: CANCEL finds its INVITE here (§9.2). */
  private readonly invitations = new Map<string, IncomingCall>();
  private readonly calls = new Set<CallSession>();
  /** Source address of each incoming call, while it is not yet ended: for the ringing caps. */
  private readonly ringingFrom = new Map<IncomingCall, string>();
  /** BYEs of ended calls still waiting for their answer: shutdown lets them finish before closing the socket. */
  private readonly settling = new Set<Promise<void>>();
  /** Issue 11: our SUBSCRIBEs (MWI, presence, BLF) and the NOTIFYs that belong to them. */
  private readonly subscriptions = new SubscriptionTable((u) => this.events.emit('subscription', u));
  /** Issue 11: our own presence (RFC 3903 PUBLISH), made at the first publishPresence(). */
  private publication: Publication | null = null;
  /** Issue 11, policy 'ask': transfer requests waiting for the user. */
  private readonly asks: TransferAsks;
  private started = false;
  private stopping = false;
  /** register() was called and unregister() not since: the ghost-call filter applies (issue 9). */
  private registering = false;
  /** The registrar's and outbound proxy's resolved addresses, looked up again at each register(). */
  private hops: Promise<Destination[]> | undefined;

  constructor(options: UserAgentCoreOptions) {
    this.o = options;
    const { config, clock, transport, log } = options;
    this.asks = new TransferAsks(clock, (ask) => this.announceAsk(ask), (end) => this.events.emit('transferAskEnded', end));
    const account = config.account;
    const userAgent = config.userAgentName ?? DEFAULT_USER_AGENT;
    const domain = account ? parseHostPort(account.domain) : null;
    const aor = account && domain ? `sip:${account.userId}@${formatHostPort(domain)}` : undefined;
    const credentials = account ? { username: account.authorizationName || account.userId, password: account.password } : undefined;
    const authPolicy: AuthPolicy | undefined = account
      ? { realms: accountRealms(account.domain, account.authRealms ?? []), refuseMd5WithoutQop: account.refuseMd5WithoutQop ?? false }
      : undefined;
    this.ctx = {
      transport,
      clock,
      log: log.child('call'),
      userAgent,
      ...(aor ? { fromUri: aor } : {}),
      ...(account?.displayName ? { displayName: account.displayName } : {}),
      contactUser: account?.userId || DIRECT_CONTACT_USER,
      ...(credentials ? { credentials } : {}),
      ...(authPolicy ? { authPolicy } : {}),
      isAccountHop: (to) => this.accountHops().then((hops) => hops.some((h) => sameDestination(h, to))),
      ringTimeoutMs: (config.ringTimeoutSeconds ?? 60) * 1000,
      mediaWatch: mediaWatchTimes(config),
      createMedia: (hint) => config.createMedia(hint),
      addDialog: (id, call) => this.dialogs.set(id, call),
      removeDialog: (id) => this.dialogs.delete(id),
      onCallEnded: (call) => this.forget(call),
      warn: (message) => this.events.emit('warning', { message }),
      contactFor: (local, remote) => this.nat?.contactFor(local, remote) ?? local,
      ...(this.outboundProxy() ? { outboundProxy: this.outboundProxy() } : {}),
      // The account's interval (settings), unless the embedder (CLI --session-expires, tests) set one.
      sessionTimer: { ...DEFAULT_SESSION_TIMER, ...(account?.sessionExpires !== undefined ? { expiresSeconds: account.sessionExpires } : {}), ...config.sessionTimer },
      // Keys in SDP are read by anyone who sees the SIP unless it travels over TLS (RFC 4568 §8.3).
      dtmfMode: account?.dtmfMode ?? config.dtmfMode ?? 'rfc4733',
      srtp: callSrtp(account?.srtp ? { mode: account.srtp, overInsecureSignalling: account.srtpOverUdp === true } : config.srtp, options.signalling ?? account?.transport ?? config.transport ?? 'udp'),
      ...((account?.codecs ?? config.codecs) ? { codecs: account?.codecs ?? config.codecs } : {}),
      ...(config.comfortNoise !== undefined ? { comfortNoise: typeof config.comfortNoise === 'function' ? config.comfortNoise : () => config.comfortNoise === true } : {}),
      resolveTarget: (target) => this.resolve(target),
      // Issue 11: a peer's REFER places a call only when the user said transfers are accepted.
      ...(acceptsTransfer(config)
        ? {
            onRefer: (from: CallSession, target: ReferTarget, referredBy: string | undefined) => {
              const call = this.place(target.uri, referredInviteHeaders(target, referredBy));
              this.events.emit('transferCall', { call, referredBy: from.id });
              return call;
            },
          }
        : {}),
      ...(transferPolicyOf(config) === 'ask'
        ? {
            askTransfer: (from: CallSession, target: ReferTarget, referredBy: string | undefined) =>
              this.asks.ask({ kind: 'refer', callId: from.id, target: target.uri, ...(referredBy ? { referredBy } : {}) }),
          }
        : {}),
    };
    if (this.ctx.srtp && this.ctx.srtp.kind !== 'on' && this.ctx.srtp.reason) log.warn(this.ctx.srtp.reason);
    if (account && domain && aor && credentials) {
      this.registerer = new Registerer({
        transport,
        clock,
        aor,
        registrar: `sip:${formatHostPort(domain)}`,
        ...(this.outboundProxy() ? { outboundProxy: this.outboundProxy() } : {}),
        ...(account.displayName ? { displayName: account.displayName } : {}),
        contactUser: account.userId,
        credentials,
        ...(authPolicy ? { authPolicy } : {}),
        expires: account.registerExpires > 0 ? account.registerExpires : 3600,
        userAgent,
        onState: (s) => {
          this.nat?.onRegistration(s);
          this.events.emit('registration', s);
        },
        onMapping: (m) => this.nat?.onMapping(m),
      });
      const proxy = this.outboundProxy();
      this.nat = new RegistrationNat({
        registerer: this.registerer,
        transport,
        clock,
        config,
        registrar: `sip:${formatHostPort(domain)}`,
        ...(proxy ? { outboundProxy: proxy } : {}),
        aor,
        userAgent,
        log: log.child('nat'),
        onPublicAddress: (info) => this.events.emit('publicAddress', info),
        onWarning: (message) => this.events.emit('warning', { message, code: 'nat-unreachable' }),
      });
    }
    transport.setHandlers({
      request: (req, remote) => this.onRequest(req, remote),
      trace: (entry) => this.events.emit('trace', entry),
      warning: (message) => this.events.emit('warning', { message }),
    });
  }

  /** sip:proxy;lr when the account sends via a proxy (RFC 3261 §8.1.2 preloaded route, loose routing). */
  private outboundProxy(): string | undefined {
    const a = this.o.config.account;
    if (!a || a.sendOutboundVia !== 'proxy' || a.proxyAddress.trim() === '') return undefined;
    const hp = parseHostPort(a.proxyAddress.replace(/^sips?:/i, ''));
    return hp ? `sip:${formatHostPort(hp)};lr` : undefined;
  }

  on<K extends keyof UserAgentEvents>(event: K, listener: (payload: UserAgentEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  async start(): Promise<{ address: string; port: number }> {
    const bound = await this.o.transport.start();
    this.started = true;
    // Issue 12: the answering path compiled before the first INVITE, on a dry context (invite-warm-up.ts).
    setImmediate(() => void warmUpIncomingCall(this.ctx));
    return bound;
  }

  get registration(): RegistrationState {
    return this.registerer?.state ?? { state: 'unregistered' };
  }

  register(): Promise<RegistrationState> {
    if (!this.registerer) {
      const s: RegistrationState = { state: 'failed', reason: 'no account: direct-IP mode does not register' };
      this.events.emit('registration', s);
      return Promise.resolve(s);
    }
    this.registering = true;
    this.hops = undefined;
    // Resolved now, alongside the REGISTER, not by the first INVITE's ghost-call filter (issue 12: no
    // DNS between an INVITE and its 100/180).
    void this.accountHops();
    return this.registerer.register();
  }

  async unregister(): Promise<void> {
    this.registering = false;
    // RFC 3903 §4.5: our published state goes with the registration (Expires: 0).
    await this.bounded(this.publication?.remove() ?? Promise.resolve(), 2000);
    await this.registerer?.unregister();
  }

  /**
   * The resolved addresses of the account's registrar and outbound proxy (and the hop REGISTERs went to):
   * the only sources of calls while registered, and the only hops whose challenges get the password.
   */
  private accountHops(): Promise<Destination[]> {
    const flow = this.registerer?.flow?.destination;
    if (!this.hops) {
      const account = this.o.config.account;
      const uris = account ? [`sip:${account.domain}`, this.outboundProxy()].filter((u): u is string => u !== undefined) : [];
      // Every server of each (RFC 3263: all SRV targets), since REGISTER and calls may fail over to any.
      const lookups = uris.map((uri) => {
        const hop = hopOf(uri);
        return hop ? resolveTargets(this.o.transport, hop).then((list) => list.map((r) => r.destination), () => []) : Promise.resolve([]);
      });
      this.hops = Promise.all(lookups).then((lists) => lists.flat());
    }
    return this.hops.then((list) => (flow ? [flow, ...list] : list));
  }

  private resolve(target: string): { uri: string } | { error: string } {
    const account = this.o.config.account;
    return resolveDialTarget(target, {
      ...(account?.domain ? { domain: account.domain } : {}),
      ...(account?.dialPlan ? { dialPlan: account.dialPlan } : {}),
    });
  }

  call(target: string): Call {
    return this.place(target);
  }

  /** Dials `target`, with extra INVITE headers for a call placed for a REFER. */
  private place(target: string, headers?: Record<string, string>): CallSession {
    const resolved = this.resolve(target);
    const uri = 'uri' in resolved ? resolved.uri : target;
    const call = new OutgoingCall(this.ctx, { target: uri, routeSet: 'uri' in resolved ? this.routeFor(uri) : [], ...(headers ? { headers } : {}) });
    this.calls.add(call);
    if ('error' in resolved) call.fail(`invalid target: ${resolved.error}`);
    else if (!this.started || this.stopping) call.fail('user agent not started');
    else if (this.ctx.srtp?.kind === 'refused') call.fail(this.ctx.srtp.reason);
    else call.start();
    return call;
  }

  /**
   * The preloaded route of an outgoing call: the outbound proxy, except for a direct call to an IP
   * address that is neither our domain nor our proxy (calling another softphone on the LAN).
   */
  private routeFor(uri: string): string[] {
    const proxy = this.outboundProxy();
    const account = this.o.config.account;
    if (!proxy || !account) return [];
    const u = parseSipUri(uri);
    const domain = parseHostPort(account.domain);
    const proxyHp = parseHostPort(account.proxyAddress.replace(/^sips?:/i, ''));
    if (u && isIpLiteral(u.host)) {
      const key = serverKey(u.host, u.port);
      const ours = [domain, proxyHp].some((hp) => hp !== null && serverKey(hp.host, hp.port) === key);
      if (!ours) return [];
    }
    return [proxy];
  }

  answerTransfer(id: string, accept: boolean): boolean {
    return this.asks.answer(id, accept);
  }

  /** A transfer request is about one of our calls (the REFER's, or the ringing Replaces INVITE). */
  private announceAsk(ask: TransferAsk): void {
    const call = [...this.calls].find((c) => c.id === ask.callId);
    if (call) this.events.emit('transferAsk', { ask, call });
  }

  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.asks.clear();
    const calls = [...this.calls];
    await Promise.all(calls.map((c) => c.hangup().catch(() => undefined)));
    // Give BYEs and the un-REGISTER a bounded moment to be answered before the socket closes.
    await this.bounded(Promise.all([...this.settling]), 2000);
    // RFC 6665 §4.1.2.3 / RFC 3903 §4.5: end our subscriptions and publication (Expires: 0) while the registration still stands.
    await this.bounded(Promise.all([this.subscriptions.closeAll(), this.publication?.remove()]), 2000);
    this.publication?.dispose();
    this.nat?.dispose();
    if (this.registerer) {
      if (this.started) await this.bounded(this.registerer.unregister(), 5000);
      this.registerer.dispose();
    }
    this.nat?.dispose();
    await this.o.transport.stop();
    this.events.removeAllListeners();
  }

  private bounded<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const t = this.o.clock.setTimeout(() => resolve(undefined), ms);
      p.then(
        (v) => {
          this.o.clock.clearTimeout(t);
          resolve(v);
        },
        () => {
          this.o.clock.clearTimeout(t);
          resolve(undefined);
        },
      );
    });
  }

  private forget(call: CallSession): void {
    this.calls.delete(call);
    const settled = call.settled();
    this.settling.add(settled);
    void settled.then(() => this.settling.delete(settled));
    for (const [key, c] of this.invitations) if (c === call) this.invitations.delete(key);
    if (call instanceof IncomingCall) this.ringingFrom.delete(call);
  }

  /** True when MAX_RINGING calls ring already, or MAX_RINGING_PER_SOURCE from this address. */
  private refuseRinging(remote: Destination): boolean {
    let all = 0;
    let fromThere = 0;
    for (const [call, address] of this.ringingFrom) {
      if (call.answeredOrRejected || call.ended) continue;
      all++;
      if (address === remote.address) fromThere++;
    }
    return all >= MAX_RINGING || fromThere >= MAX_RINGING_PER_SOURCE;
  }

  private reply(req: SipRequest, status: number, headers: Record<string, string> = {}): void {
    this.o.transport.sendResponse(createResponse(req, status, { headers: { server: this.ctx.userAgent, ...headers } }));
  }

  /** The UAS core (RFC 3261 §8.2 and §12.2.2): one entry for every request the transport hands us. */
  private onRequest(req: SipRequest, remote: Destination): void {
    // Whatever it is, it came in from outside: the path to us works (the NAT diagnosis listens for this).
    this.nat?.onRequest();
    try {
      this.route(req, remote);
    } catch (err) {
      this.ctx.log.error('request handling failed', { method: req.method, error: err instanceof Error ? err.stack ?? err.message : String(err) });
      if (req.method !== 'ACK') this.reply(req, 500);
    }
  }

  private route(req: SipRequest, remote: Destination): void {
    const callId = req.headers['call-id'];
    const fromTag = req.headers.from.params.tag ?? '';
    const toTag = req.headers.to.params.tag;
    if (req.method === 'CANCEL') {
      // §9.2: the CANCEL matches the INVITE transaction by Call-ID and top Via branch.
      const invitation = this.invitations.get(`${callId}\u0000${req.headers.via[0]?.params.branch ?? ''}`);
      if (invitation) invitation.onCancel(req);
      else this.reply(req, 481);
      return;
    }
    if (toTag && req.method === 'NOTIFY') {
      const status = this.subscriptions.notify(req);
      if (status !== null) return this.reply(req, status);
    }
    if (toTag) {
      const call = this.dialogs.get(dialogId(callId, toTag, fromTag));
      if (call) call.handleRequest(req);
      else if (req.method === 'OPTIONS') this.reply(req, 200, capabilityHeaders());
      else if (req.method !== 'ACK') this.reply(req, 481);
      return;
    }
    if (req.method === 'ACK') return; // an ACK for a non-2xx is absorbed by the transaction; anything else is stray
    // §8.2.2.3: a Require naming an extension we do not implement gets 420 with Unsupported (Replaces,
    // RFC 3891, is implemented when transfers are accepted).
    const unsupported = unsupportedRequired(req).filter((t) => !(t === 'replaces' && acceptsTransfer(this.o.config)));
    if (unsupported.length > 0) {
      this.reply(req, 420, { unsupported: unsupported.join(', ') });
      return;
    }
    switch (req.method) {
      case 'INVITE':
        this.onInvite(req, remote);
        return;
      case 'OPTIONS':
        this.reply(req, 200, capabilityHeaders());
        return;
      case 'MESSAGE':
        this.onMessage(req, remote);
        return;
      case 'NOTIFY':
        this.onUnsolicitedNotify(req, remote);
        return;
      case 'BYE':
      case 'UPDATE':
      case 'PRACK':
      case 'INFO':
        // These only exist within a dialog (RFC 3311 §5.2, RFC 3262 §3, RFC 6086 §4.2.2: 481), and this
        // one is not ours. A NOTIFY outside our subscriptions is judged by onUnsolicitedNotify (RFC 6665 §4.1.3).
        this.reply(req, 481);
        return;
      case 'REFER':
        // RFC 3515 allows a REFER outside a dialog; from a stranger it would make us call anyone (issue 11).
        this.reply(req, 403);
        return;
      default:
        this.reply(req, unsupportedMethodStatus(req.method), { allow: ALLOW });
    }
  }

  private onInvite(req: SipRequest, remote: Destination): void {
    if (this.stopping) {
      this.reply(req, 503);
      return;
    }
    const callId = req.headers['call-id'];
    const fromTag = req.headers.from.params.tag ?? '';
    // §8.2.2.2: the same request arriving again by another path (new branch) is a merged request.
    for (const c of this.invitations.values()) {
      const i = c.invite;
      if (i.headers['call-id'] === callId && (i.headers.from.params.tag ?? '') === fromTag && i.headers.cseq.seq === req.headers.cseq.seq) {
        this.reply(req, 482);
        return;
      }
    }
    const account = this.o.config.account;
    if (!account || !this.registering || account.allowDirectCalls) {
      // Direct-IP mode (or allowed by the account): anyone may call, as before issue 9.
      this.ring(req, remote);
      return;
    }
    void this.admit(req, remote, account.userId).then((ok) => {
      if (ok) this.ring(req, remote);
    });
  }

  /**
   * A page-mode MESSAGE (RFC 3428 §7): while registered it must come the way calls do (the ghost-call
   * filter of issue 9, a quiet 403 otherwise); then plain text is answered 200 and shown, anything
   * else 415 with Accept: text/plain.
   */
  private onMessage(req: SipRequest, remote: Destination): void {
    const account = this.o.config.account;
    const admitted = !account || !this.registering || account.allowDirectCalls ? Promise.resolve(true) : this.admit(req, remote, account.userId);
    void admitted.then((ok) => {
      if (!ok) return;
      const verdict = judgeReceivedMessage(req);
      if ('status' in verdict) {
        this.reply(req, verdict.status, verdict.status === 415 ? { accept: 'text/plain' } : {});
        return;
      }
      this.reply(req, 200);
      this.events.emit('message', verdict.message);
    });
  }

  sendMessage(target: string, text: string): Promise<MessageSendResult> {
    const account = this.o.config.account;
    const resolved = resolveDialTarget(target, {
      ...(account?.domain ? { domain: account.domain } : {}),
      ...(account?.dialPlan ? { dialPlan: account.dialPlan } : {}),
    });
    if ('error' in resolved) return Promise.resolve({ ok: false, reason: `invalid target: ${resolved.error}` });
    if (!this.started || this.stopping) return Promise.resolve({ ok: false, reason: 'user agent not started' });
    return sendPageMessage(this.ctx, resolved.uri, this.routeFor(resolved.uri), text);
  }

  subscribe(request: SubscribeRequest): { id: string } | { error: string } {
    const account = this.o.config.account;
    const resolved = resolveDialTarget(request.target, {
      ...(account?.domain ? { domain: account.domain } : {}),
      ...(account?.dialPlan ? { dialPlan: account.dialPlan } : {}),
    });
    if ('error' in resolved) return { error: `invalid target: ${resolved.error}` };
    if (!this.started || this.stopping) return { error: 'user agent not started' };
    const sub = this.subscriptions.create({ ctx: this.ctx, target: resolved.uri, routeSet: this.routeFor(resolved.uri), event: { package: request.event }, accept: ACCEPT_BY_EVENT[request.event], expires: request.expires ?? 3600 });
    return sub ? { id: sub.id } : { error: 'too many subscriptions' };
  }

  unsubscribe(id: string): Promise<void> {
    return this.subscriptions.remove(id);
  }

  publishPresence(presence: OwnPresence, expires = 3600): { ok: true } | { error: string } {
    const aor = this.ctx.fromUri;
    if (!aor) return { error: 'no account: presence is published for an address of record' };
    if (!this.started || this.stopping) return { error: 'user agent not started' };
    this.publication ??= new Publication({ ctx: this.ctx, aor, routeSet: this.routeFor(aor), expires, emit: (u) => this.events.emit('publication', u) });
    void this.publication.publish(presence);
    return { ok: true };
  }

  /**
   * A NOTIFY of no subscription of ours: only an unsolicited message-summary (RFC 3842 §4), and only
   * while registered, from the registrar or proxy, for our user (the ghost-call filter: 403 otherwise).
   */
  private onUnsolicitedNotify(req: SipRequest, remote: Destination): void {
    const account = this.o.config.account;
    if (!account || !this.registering) {
      this.reply(req, 481);
      return;
    }
    void this.admit(req, remote, account.userId).then((ok) => {
      if (!ok) return;
      const verdict = judgeUnsolicitedNotify(req);
      this.reply(req, verdict.status);
      if ('update' in verdict) this.events.emit('subscription', verdict.update);
    });
  }

  /** The ghost-call filter (issue 9): refused INVITEs get a quiet 403 and never ring, nor cost a media port. */
  private async admit(req: SipRequest, remote: Destination, user: string): Promise<boolean> {
    const verdict = judgeIncomingInvite({
      registering: true,
      allowDirectCalls: false,
      source: remote,
      accountHops: await this.accountHops(),
      requestUri: req.uri,
      user,
    });
    if (verdict.accept) return true;
    // RFC 3261 §21.4.4: 403, without 100 Trying or anything that says a phone is here to ring.
    this.reply(req, 403);
    const source = `${remote.address}:${remote.port}`;
    this.ctx.log.warn(`${req.method} refused`, { source, requestUri: req.uri, reason: verdict.reason });
    this.events.emit('rejected', { time: this.o.clock.now(), source, from: req.headers.from.uri, requestUri: req.uri, reason: verdict.reason });
    return false;
  }

  private ring(req: SipRequest, remote: Destination): void {
    if (this.stopping) {
      this.reply(req, 503);
      return;
    }
    const dnd = this.o.config.doNotDisturb?.();
    if (dnd) {
      // Do-not-disturb (issue 11): answered before any 180 or media port, as busy or unavailable.
      this.reply(req, dnd);
      this.events.emit('dnd', { from: req.headers.from.uri, displayName: req.headers.from.name ?? '', status: dnd });
      return;
    }
    if (this.refuseRinging(remote)) {
      // Ringing caps (issue 9): refused before any media port is taken.
      this.reply(req, 486);
      return;
    }
    if (this.ctx.srtp?.kind === 'refused') {
      // The peer learns that SRTP is required, not how this phone is configured.
      this.reply(req, 488, { warning: '399 - "SRTP is required here but cannot be keyed over this signalling"' });
      return;
    }
    // RFC 3891 §3: an INVITE with Replaces takes over the call it names (or is refused), unasked.
    const replaces = judgeReplacesInvite(req, this.calls, acceptsTransfer(this.o.config));
    if (replaces.kind === 'refuse') {
      this.reply(req, replaces.status);
      return;
    }
    const callId = req.headers['call-id'];
    const call = new IncomingCall(this.ctx, req, remote);
    this.ringingFrom.set(call, remote.address);
    this.calls.add(call);
    this.invitations.set(`${callId}\u0000${req.headers.via[0]?.params.branch ?? ''}`, call);
    void call.begin().then((ringing) => {
      if (!ringing || call.ended) return;
      if (replaces.kind === 'new-call') {
        this.events.emit('incoming', call);
        return;
      }
      const old = replaces.call;
      const policy = transferPolicyOf(this.o.config);
      replaceWhenAnswered(call, old, policy === 'ask' ? this.asks : null, {
        replaced: () => this.events.emit('replaced', { call, replacedCallId: old.id }),
        warn: (message, data) => this.ctx.log.warn(message, data),
      });
    });
  }
}
