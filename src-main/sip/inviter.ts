// Outgoing calls (RFC 3261 §13.2): INVITE with our SDP offer, provisional/final responses, PRACK for
// reliable ones (RFC 3262), ACK for 2xx (ours to send, §13.2.2.4, with the INVITE's credentials), digest
// retry for every challenging hop (§22.3), 3xx redirects, 422 retry and the session timer (RFC 4028),
// CANCEL (§9.1), ring timeout, BYE.

import { transportParam } from './transport/transport-choice';
import { CallSession } from './call-session';
import { T1, type CallContext } from './call-context';
import { applyRouteSet, Dialog, hopOf, type RoutedRequestTarget } from './dialog';
import { credentialsOf, type AuthRound } from './digest-client';
import { createRedirectTracker, nextRedirect, type RedirectTracker } from './redirect';
import { createOffer, parseAnswer } from './sdp-negotiate';
import { applyLocalNat } from './sdp-ice';
import { reachableFamilies } from './media-family';
import { newLocalSrtp } from './srtp-policy';
import { ALLOW, displayNameOf, hasSdp, headerText, MAX_FORWARDS, statusText, supportedHeader } from './sip-headers';
import { describeRetryAfter, retryAfterOf } from './retry-after';
import { minSeFrom422, requestTimerHeaders, sessionFromAnswer } from './session-timer';
import { ReliableProvisionals } from './prack';
import { newCallId, newSessionId, newTag } from './sip-random';
import { quoteDisplayName } from './sip-uri';
import { failoverAfter, resolveTargets } from './target-failover';
import type { TimerId } from './sip-clock';
import type { SipRequest, SipResponse } from './sip-message';
import type { Destination, HopTarget, ResolvedHop, ResponseInfo, SentRequest } from './sip-transport';
import type { CallEndInfo } from './user-agent-api';
import type { MediaEndpoint } from '../rtp/media-session';

export interface OutgoingCallOptions {
  /** Request-URI (already through the dial plan). */
  target: string;
  /** Preloaded route (an outbound proxy, sip:proxy;lr), or [] to send straight to the target. */
  routeSet: string[];
  /** Extra INVITE headers: Referred-By and Replaces of a call placed for a REFER (RFC 3515, RFC 3891). */
  headers?: Record<string, string>;
}

/** Contact / direct-mode From URI for our address (IPv6 in brackets, RFC 3261 §25.1), ;transport=tcp|tls on a stream. */
export function localUri(user: string, local: Destination): string {
  const host = local.address.includes(':') ? `[${local.address}]` : local.address;
  return `sip:${user}@${host}:${local.port}${transportParam(local.transport)}`;
}

function fmt(d: Destination): string {
  return `${d.address}:${d.port}`;
}

export class OutgoingCall extends CallSession {
  readonly direction = 'outgoing' as const;
  private readonly target: string;
  private readonly routeSet: string[];
  private readonly extraHeaders: Record<string, string>;
  private readonly fromTag = newTag();
  private readonly redirects: RedirectTracker;
  private cseq = 0;
  private currentUri: string;
  private endpoint: MediaEndpoint | undefined;
  private invite: SipRequest | undefined;
  private sentInvite: SentRequest | undefined;
  private inviteDest: Destination | undefined;
  /** The INVITE's next hop as written ("host:port") and whether it is the account's registrar / proxy. */
  private inviteHop = { host: '?', accountHop: false };
  /** The servers of the INVITE's next hop (RFC 3263) and which one the current INVITE went to. */
  private route: { routed: RoutedRequestTarget; hop: HopTarget; targets: ResolvedHop[]; index: number } | undefined;
  private provisional = false;
  private cancelReason: string | undefined;
  private cancelSent = false;
  /** Challenges answered for this INVITE and its retries; a redirect starts a new round. */
  private authRound: AuthRound = new Map();
  private earlySdp: string | undefined;
  private ack: SentRequest | undefined;
  private ringTimer: TimerId | undefined;
  private cancelTimer: TimerId | undefined;
  /** Session-Expires and Min-SE of our next INVITE, raised by 422 (RFC 4028 §7.3). */
  private sessionExpires: number;
  private minSe: number;
  private tooSmallRetries = 0;
  /** Early dialogs of reliable provisional responses, by To tag (RFC 3262 §4). */
  private readonly reliable = new ReliableProvisionals();

  constructor(ctx: CallContext, opts: OutgoingCallOptions) {
    super(ctx, newCallId(), 'outgoing', opts.target, '');
    this.target = opts.target;
    this.currentUri = opts.target;
    this.routeSet = opts.routeSet;
    this.extraHeaders = opts.headers ?? {};
    this.redirects = createRedirectTracker(opts.target);
    this.minSe = this.timerConfig.minSeconds;
    // 0: no session timer asked for (RFC 4028 is optional for the UAC, §7.1).
    this.sessionExpires = this.timerConfig.expiresSeconds > 0 ? Math.max(this.timerConfig.expiresSeconds, this.minSe) : 0;
  }

  /** Opens media and sends the INVITE; failures end the call with a reason. */
  start(): void {
    this.begin().catch((err: unknown) => {
      void this.finish({ reason: err instanceof Error ? err.message : String(err), by: 'error' });
    });
  }

  /** Ends the call at once with `reason` (e.g. a dial string that is not a valid target). */
  fail(reason: string): void {
    void this.finish({ reason, by: 'error' });
  }

  private async begin(): Promise<void> {
    this.media = this.ctx.createMedia();
    this.endpoint = await this.media.open();
    if (this.ended) return;
    await this.sendInvite(this.currentUri);
  }

  private async sendInvite(uri: string): Promise<void> {
    const routed = applyRouteSet(uri, this.routeSet);
    const hop = hopOf(routed.nextHop);
    if (!hop) throw new Error(`bad address ${routed.nextHop}`);
    const targets = await resolveTargets(this.ctx.transport, hop);
    await this.sendInviteTo({ routed, hop, targets, index: 0 });
  }

  /** The INVITE to one server of the hop's list (the first, or the next after a failure, RFC 3263 §4.3). */
  private async sendInviteTo(route: { routed: RoutedRequestTarget; hop: HopTarget; targets: ResolvedHop[]; index: number }): Promise<void> {
    const { routed, hop } = route;
    const resolved = route.targets[route.index];
    if (!resolved) throw new Error(`no server for ${hop.host}`);
    const accountHop = (await this.ctx.isAccountHop?.(resolved.destination)) ?? false;
    if (this.ended) return;
    if (this.cancelReason !== undefined) {
      // Hung up before anything was sent: nothing to CANCEL.
      void this.finish({ reason: this.cancelReason, by: 'local' });
      return;
    }
    const local = resolved.local;
    const endpoint = this.endpoint;
    if (!endpoint) throw new Error('media not open');
    if (!this.localOffer) {
      const rtpAddress = endpoint.address && endpoint.address !== '0.0.0.0' && endpoint.address !== '::' ? endpoint.address : local.address;
      // STUN/ICE (issue 4): c=/m= carry the default candidate and the ICE attributes go along.
      this.localOffer = applyLocalNat(
        {
          address: rtpAddress,
          port: endpoint.rtpPort,
          codecs: this.ctx.codecs ?? [], // empty: every codec we have (sdp-negotiate.ts)
          telephoneEvent: true,
          comfortNoise: this.ctx.comfortNoise?.() ?? false,
          xrVoipMetrics: true,
          ptime: 20,
          sessionId: newSessionId(),
          sessionVersion: 1,
          families: reachableFamilies(endpoint.address),
          ...(this.ctx.srtp?.kind === 'on' ? { srtp: newLocalSrtp(this.ctx.srtp.mode) } : {}),
        },
        endpoint,
      );
    }
    const sdp = this.versionedSdp((o) => createOffer(o)) ?? '';
    // RFC 3261 §8.1.1.8: the Contact must reach us for the whole dialog; behind a NAT that is the
    // public address the registrar sees, when the call goes through it.
    const contactAddress = this.ctx.contactFor?.(local, resolved.destination) ?? local;
    this.contact = { uri: localUri(this.ctx.contactUser, contactAddress), params: {} };
    const name = this.ctx.displayName ? quoteDisplayName(this.ctx.displayName) : undefined;
    this.cseq += 1;
    const invite: SipRequest = {
      method: 'INVITE',
      uri: routed.uri,
      headers: {
        via: [],
        to: { uri: this.target, params: {} },
        from: { ...(name ? { name } : {}), uri: this.ctx.fromUri ?? localUri(this.ctx.contactUser, { address: local.address, port: local.port }), params: { tag: this.fromTag } },
        'call-id': this.id,
        cseq: { seq: this.cseq, method: 'INVITE' },
        contact: [this.contact],
        'max-forwards': MAX_FORWARDS,
        'user-agent': this.ctx.userAgent,
        allow: ALLOW,
        ...supportedHeader(true),
        ...(this.sessionExpires > 0 ? requestTimerHeaders(this.sessionExpires, this.minSe) : {}),
        ...this.extraHeaders,
        'content-type': 'application/sdp',
      },
      content: sdp,
    };
    if (routed.route.length > 0) invite.headers.route = routed.route;
    // RFC 3261 §22.3: a retry carries one header per realm that challenged it so far (an SBC's 407 and
    // the PBX's 401 behind it); a first INVITE has none (the client starts empty for each target).
    if (accountHop) Object.assign(invite.headers, this.auth?.headersFor({ method: 'INVITE', uri: routed.uri, body: sdp }));
    this.invite = invite;
    this.route = route;
    this.inviteDest = resolved.destination;
    this.inviteHop = { host: hop.port !== undefined ? `${hop.host}:${hop.port}` : hop.host, accountHop };
    this.provisional = false;
    this.cancelSent = false;
    this.sentInvite = this.ctx.transport.sendRequest(invite, resolved.destination, (res, info) => this.onResponse(invite, res, info));
    if (this.ringTimer === undefined) this.ringTimer = this.ctx.clock.setTimeout(() => this.cancel('no answer'), this.ctx.ringTimeoutMs);
  }

  private onResponse(invite: SipRequest, res: SipResponse, info: ResponseInfo): void {
    if (res.status >= 200 && res.status < 300) {
      this.on2xx(invite, res);
      return;
    }
    // Answers to an INVITE we have since replaced (auth retry, redirect) are of no interest.
    if (invite !== this.invite || this.ended) return;
    if (res.status < 200) {
      this.onProvisional(res);
      return;
    }
    if (this.cancelReason === undefined) {
      const verdict = failoverAfter(res, info, this.provisional);
      if (verdict && this.failOver(verdict.unreachableSeconds)) return;
    }
    const dest = this.inviteDest ? fmt(this.inviteDest) : '?';
    if (info.synthetic) {
      const reason = res.status === 408 ? `timeout: no answer from ${dest}` : `cannot reach ${dest} (${statusText(res)})`;
      void this.finish(this.cancelReason !== undefined ? { reason: this.cancelReason, by: 'local' } : { reason, by: 'error' });
      return;
    }
    if (this.cancelReason !== undefined) {
      void this.finish({ reason: this.cancelReason, status: res.status, by: 'local' });
      return;
    }
    if (res.status >= 300 && res.status < 400) {
      const next = nextRedirect(res, this.redirects);
      if ('error' in next) {
        void this.finish({ reason: next.error, status: res.status, by: 'remote' });
        return;
      }
      this.ctx.log.info('following redirect', { callId: this.id, to: next.uri });
      this.currentUri = next.uri;
      this.authRound = new Map();
      this.auth?.clear();
      this.restart(next.uri);
      return;
    }
    if (res.status === 422) {
      // RFC 4028 §7.3: ask again with at least the Min-SE the 422 names (a few times at most).
      const min = minSeFrom422(res, this.sessionExpires);
      if (min !== undefined && this.tooSmallRetries < 3) {
        this.tooSmallRetries += 1;
        this.minSe = min;
        this.sessionExpires = Math.max(this.sessionExpires, min);
        this.refresher.useMinSe(min);
        this.ctx.log.info('session interval too small, asking again', { callId: this.id, minSe: min });
        this.restart(this.currentUri);
        return;
      }
    }
    const auth = this.auth;
    if ((res.status === 401 || res.status === 407) && auth) {
      // With CSeq + 1 (RFC 3261 §22.2); the same realm challenging twice is a wrong password, unless stale.
      const outcome = auth.onChallenge(res, this.inviteHop, this.authRound);
      if ('retry' in outcome) {
        this.restart(this.currentUri);
        return;
      }
      if (outcome.fail === 'refused') {
        this.ctx.log.warn('challenge refused', { callId: this.id, reason: outcome.reason });
        void this.finish({ reason: outcome.reason, status: res.status, by: 'error' });
        return;
      }
      void this.finish({ reason: outcome.fail === 'rejected' ? outcome.reason : statusText(res), status: res.status, by: 'remote' });
      return;
    }
    // RFC 3261 §20.33: 503, 480, 486, 600, 603 (and others) may say when to call again; the user sees it.
    const retryAfter = retryAfterOf(res);
    void this.finish({ reason: retryAfter ? `${statusText(res)}, ${describeRetryAfter(retryAfter)}` : statusText(res), status: res.status, by: 'remote' });
  }

  /**
   * RFC 3263 §4.3: this server did not answer at all, failed at the transport, or said 503: the INVITE
   * goes to the next server of the list as a new transaction (new branch, CSeq + 1 so a server sharing
   * state with the first does not take it for a merged request, RFC 3261 §8.2.2.2). Credentials start
   * over with the next server's challenge. False when there is no other server.
   */
  private failOver(unreachableSeconds: number): boolean {
    const route = this.route;
    if (!route || !this.inviteDest) return false;
    this.ctx.transport.markUnreachable?.(this.inviteDest, unreachableSeconds);
    const next = route.targets[route.index + 1];
    if (!next) return false;
    this.ctx.log.info('trying the next server', { callId: this.id, to: fmt(next.destination) });
    this.authRound = new Map();
    this.auth?.clear();
    this.sendInviteTo({ ...route, index: route.index + 1 }).catch((err: unknown) => {
      void this.finish({ reason: err instanceof Error ? err.message : String(err), by: 'error' });
    });
    return true;
  }

  private restart(uri: string): void {
    this.sendInvite(uri).catch((err: unknown) => {
      void this.finish({ reason: err instanceof Error ? err.message : String(err), by: 'error' });
    });
  }

  private onProvisional(res: SipResponse): void {
    this.provisional = true;
    if (this.dialog) return; // a 1xx overtaken by the 2xx on the way
    const invite = this.invite;
    if (invite && res.status > 100) {
      // RFC 3262 §4: a reliable 1xx is PRACKed in its early dialog; one out of sequence is ignored.
      const verdict = this.reliable.receive(invite, res);
      if (verdict === 'ignore') return;
      if (verdict !== 'unreliable') void this.sendInDialog('PRACK', { headers: { rack: verdict.rack } }, () => {}, verdict.dialog);
    }
    if (this.cancelReason !== undefined) {
      this.sendCancel();
      return;
    }
    if (res.status >= 180) this.setState('ringing');
    // Early media (RFC 3960): an answer in a 18x starts media now; the 2xx confirms or updates it.
    if (res.status >= 180 && hasSdp(res) && this.localOffer) {
      const params = parseAnswer(res.content ?? '', this.localOffer);
      if (!('error' in params)) {
        this.earlySdp = res.content;
        void this.applyMedia(params);
      }
    }
  }

  private on2xx(invite: SipRequest, res: SipResponse): void {
    const tag = res.headers.to.params.tag;
    if (this.dialog && tag === this.dialog.remoteTag) {
      // A retransmitted 2xx: our ACK was lost, send it again (§13.2.2.4).
      this.ack?.resend();
      return;
    }
    if (this.dialog || this.ended || invite !== this.invite) {
      // A second 2xx from another fork, or one after we gave up: confirm and end it (§13.2.2.4).
      this.ackAndBye(invite, res);
      return;
    }
    const dialog = Dialog.asUac(invite, res);
    if (!dialog) {
      void this.finish({ reason: 'invalid 2xx: no To tag', status: res.status, by: 'error' });
      return;
    }
    // The PRACKs of the early dialog used CSeq numbers after the INVITE's (RFC 3262 §7.2).
    dialog.localSeq = Math.max(dialog.localSeq, this.reliable.localSeq(invite, dialog.remoteTag));
    this.dialog = dialog;
    this.peerAllow = headerText(res, 'allow');
    this.ctx.addDialog(dialog.id, this);
    this.clearTimers();
    void this.sendInDialog('ACK', { seq: invite.headers.cseq.seq, credentials: credentialsOf(invite) }).then((sent) => {
      this.ack = sent;
    });
    if (this.cancelReason !== undefined) {
      // CANCEL crossed the 2xx (§9.1): the call was accepted after all, so end it with BYE.
      this.sendBye();
      void this.finish({ reason: this.cancelReason, status: res.status, by: 'local' });
      return;
    }
    const sdp = hasSdp(res) ? res.content : this.earlySdp;
    const params = sdp !== undefined && this.localOffer ? parseAnswer(sdp, this.localOffer) : { error: 'no SDP answer in 2xx' };
    if ('error' in params) {
      this.sendBye();
      void this.finish({ reason: params.error.startsWith('no SDP') ? params.error : `bad SDP answer: ${params.error}`, by: 'error' });
      return;
    }
    const name = displayNameOf(res.headers.to);
    if (name) this.remoteDisplayName = name;
    this.setState('connected');
    // RFC 4028 §7.2: the 2xx's Session-Expires starts the session timer; without one there is none.
    const timer = sessionFromAnswer(res, this.minSe);
    if (timer) this.refresher.started(timer, true);
    void this.applyMedia(params);
  }

  private ackAndBye(invite: SipRequest, res: SipResponse): void {
    const d = Dialog.asUac(invite, res);
    if (!d) return;
    const ack = d.createRequest('ACK', { seq: invite.headers.cseq.seq, credentials: credentialsOf(invite) });
    const bye = d.createRequest('BYE', { headers: { 'user-agent': this.ctx.userAgent } });
    const hop = hopOf(ack.nextHop);
    if (!hop) return;
    this.ctx.transport.resolve(hop).then(
      (r) => {
        this.ctx.transport.sendRequest(ack.request, r.destination);
        this.ctx.transport.sendRequest(bye.request, r.destination, () => {});
      },
      () => {},
    );
  }

  /** CANCEL only after a provisional response (RFC 3261 §9.1); until then the wish is remembered. */
  private cancel(reason: string): void {
    if (this.ended) return;
    if (this.cancelReason === undefined) this.cancelReason = reason;
    if (!this.invite) {
      if (!this.endpoint) void this.finish({ reason, by: 'local' });
      return;
    }
    if (this.provisional) this.sendCancel();
  }

  private sendCancel(): void {
    const invite = this.invite;
    const via = this.sentInvite?.topVia();
    if (this.cancelSent || !invite || !this.inviteDest) return;
    this.cancelSent = true;
    if (!via) {
      void this.finish({ reason: this.cancelReason ?? 'cancelled', by: 'local' });
      return;
    }
    // §9.1: same Request-URI, Call-ID, To, From, CSeq number and Route as the INVITE; its top Via only.
    const cancel: SipRequest = {
      method: 'CANCEL',
      uri: invite.uri,
      headers: {
        via: [via],
        to: invite.headers.to,
        from: invite.headers.from,
        'call-id': invite.headers['call-id'],
        cseq: { seq: invite.headers.cseq.seq, method: 'CANCEL' },
        'max-forwards': MAX_FORWARDS,
        'user-agent': this.ctx.userAgent,
      },
    };
    if (invite.headers.route) cancel.headers.route = invite.headers.route;
    this.ctx.transport.sendRequest(cancel, this.inviteDest, () => {});
    // §9.1 / §17.1.1.2: if the INVITE gets no final answer within 64*T1, give up on it.
    this.cancelTimer = this.ctx.clock.setTimeout(() => {
      void this.finish({ reason: this.cancelReason ?? 'cancelled', by: 'local' });
    }, 64 * T1);
  }

  private clearTimers(): void {
    this.ctx.clock.clearTimeout(this.ringTimer);
    this.ctx.clock.clearTimeout(this.cancelTimer);
  }

  protected onFinish(): void {
    this.clearTimers();
  }

  answer(): Promise<void> {
    return Promise.reject(new Error('answer() is for incoming calls'));
  }

  reject(): void {
    this.ctx.log.warn('reject() ignored on an outgoing call', { callId: this.id });
  }

  hangup(): Promise<CallEndInfo> {
    if (this.ended) return this.whenEnded();
    if (this.state === 'connected') {
      this.sendBye();
      return this.finish({ reason: 'hung up', by: 'local' });
    }
    this.cancel('cancelled');
    return this.whenEnded();
  }
}
