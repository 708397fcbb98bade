// Incoming calls (RFC 3261 §13.3): 100 Trying, the SDP offer checked (488 if unusable) and the session
// interval (422 if too small, RFC 4028 §9), 180 Ringing (reliable when required, RFC 3262 §3), then
// answer() -> 2xx sent until ACKed, reject() -> 486/603, CANCEL -> 487, BYE either way.

import { CallSession, capabilityHeaders } from './call-session';
import { Dialog } from './dialog';
import { localUri } from './inviter';
import { createAnswer, createOffer, parseAnswer } from './sdp-negotiate';
import { ReliableProvisionalSender, wantsReliableProvisional } from './reliable-provisional';
import { answerSessionTimer, type UasTimerOutcome } from './session-timer';
import { applyLocalNat } from './sdp-ice';
import { reachableFamilies } from './media-family';
import { newLocalSrtp } from './srtp-policy';
import { createResponse, displayNameOf, hasSdp, headerText, statusText } from './sip-headers';
import { newSessionId, newTag } from './sip-random';
import type { CallContext } from './call-context';
import type { SipRequest } from './sip-message';
import type { Destination } from './sip-transport';
import type { CallEndInfo } from './user-agent-api';
import type { MediaStartParams } from '../rtp/media-session';
import type { LocalMediaOffer } from './sdp-negotiate';

export class IncomingCall extends CallSession {
  readonly direction = 'incoming' as const;
  readonly invite: SipRequest;
  private readonly remote: Destination;
  private readonly localTag = newTag();
  /** SDP answer prepared while ringing; undefined for a late offer (INVITE without SDP). */
  private answerSdp: string | undefined;
  private answerMedia: MediaStartParams | undefined;
  /** Our offer, sent in a reliable 180 for an INVITE without SDP (RFC 3262 §5). */
  private earlyOffer: string | undefined;
  private finalSent = false;
  private answering: Promise<void> | undefined;
  /** The session timer the INVITE asked for, put into our 2xx (RFC 4028 §9). */
  private timer: UasTimerOutcome = { kind: 'none' };
  /** Our 180 when the INVITE requires 100rel (RFC 3262 §3); undefined otherwise. */
  private reliable: ReliableProvisionalSender | undefined;
  /** Late offer with a reliable 180: our offer went in the 180 and the PRACK answered it (§5). */
  private offerAnsweredInPrack = false;
  /** Media opening after an early 180; true when ready, false when the call was refused or ended. */
  private mediaReady: Promise<boolean> = Promise.resolve(true);
  /** One o= session id and one set of SRTP keys for the placeholder and the real description. */
  private readonly sessionId = newSessionId();
  private srtpKeys: ReturnType<typeof newLocalSrtp> | undefined;

  constructor(ctx: CallContext, invite: SipRequest, remote: Destination) {
    super(ctx, invite.headers['call-id'], 'incoming', invite.headers.from.uri, displayNameOf(invite.headers.from));
    this.invite = invite;
    this.remote = remote;
    this.peerAllow = headerText(invite, 'allow');
  }

  /** True once a final response went out: a CANCEL then changes nothing (RFC 3261 §9.2). */
  get answeredOrRejected(): boolean {
    return this.finalSent;
  }

  /**
   * Prepares the call and rings: 100 Trying at once (§8.2.6.1 wants it within 200 ms), media opened,
   * the offer checked, then 180 Ringing with our tag and Contact. Resolves true when the call rings
   * (the user agent then announces it), false when it was refused or cancelled meanwhile.
   */
  async begin(): Promise<boolean> {
    this.respond(this.invite, 100);
    const timer = answerSessionTimer(this.invite, this.timerConfig);
    if (timer.kind === 'too-small') {
      // RFC 4028 §9: below our minimum the call is refused with our Min-SE; the caller asks again.
      this.sendFinal(422, { headers: { 'min-se': String(timer.minSe) } });
      await this.finish({ reason: `422 Session Interval Too Small (Min-SE ${timer.minSe})`, status: 422, by: 'local' });
      return false;
    }
    this.timer = timer;
    try {
      const local = await this.ctx.transport.localFor(this.remote.address, this.remote);
      if (this.ended) return false;
      this.contact = { uri: localUri(this.ctx.contactUser, this.ctx.contactFor?.(local, this.remote) ?? local), params: {} };
      // Issue 12: ring before the media is ready (port search, socket binds, STUN/ICE gathering), so the
      // caller hears ringback at once. A reliable 180 carries SDP (RFC 3262 §5), so it still waits.
      const early = !wantsReliableProvisional(this.invite);
      this.media = this.ctx.createMedia({ incoming: true });
      if (early && hasSdp(this.invite)) {
        // RFC 3264 §6: whether the offer is acceptable depends on its codecs and crypto, not on our
        // address or port, so a placeholder description decides 488 before we ring.
        const probe = createAnswer(this.invite.content ?? '', this.describeLocal({ address: local.address, rtpPort: 9, endpointAddress: this.media.bindAddress ?? local.address }));
        if ('error' in probe) return await this.refuseOffer(probe.error.reason);
      }
      if (!early && !(await this.prepareMedia(local.address))) return false;
      // The early dialog exists from our 180 on (§12.1.1): a BYE or re-INVITE may refer to it.
      // Our own requests in it (BYE, refreshes) go via the outbound proxy when the call came from it
      // and the proxy did not record-route (dialog.ts).
      const viaProxy = this.ctx.outboundProxy !== undefined && ((await this.ctx.isAccountHop?.(this.remote)) ?? false);
      if (this.ended) return false;
      this.dialog = Dialog.asUas(this.invite, this.localTag, viaProxy && this.ctx.outboundProxy ? [this.ctx.outboundProxy] : []);
      this.ctx.addDialog(this.dialog.id, this);
      this.ring();
      if (early) {
        // answer() waits for this; a failure ends the ringing call (486 when every port is taken).
        // Started on the next turn of the event loop: the 180 leaves the socket on this turn's
        // nextTick, after every microtask, so opening the media (port search, socket binds, devices,
        // the SDP answer) here would still sit in front of it (issue 12).
        const address = local.address;
        this.mediaReady = new Promise<void>((resolve) => setImmediate(resolve))
          .then(() => (this.ended ? false : this.prepareMedia(address)))
          .catch((err: unknown) => this.failTaking(err));
      }
      return true;
    } catch (err) {
      await this.failTaking(err);
      return false;
    }
  }

  /** The media we will use, opened, and our description (and the answer to an offer) built on it. */
  private async prepareMedia(localAddress: string): Promise<boolean> {
    const media = (this.media ??= this.ctx.createMedia({ incoming: true }));
    const endpoint = await media.open();
    if (this.ended) return false;
    const rtpAddress = endpoint.address && endpoint.address !== '0.0.0.0' && endpoint.address !== '::' ? endpoint.address : localAddress;
    // STUN/ICE (issue 4): c=/m= carry the default candidate and the ICE attributes go along.
    this.localOffer = applyLocalNat(this.describeLocal({ address: rtpAddress, rtpPort: endpoint.rtpPort, endpointAddress: endpoint.address }), endpoint);
    if (hasSdp(this.invite)) {
      const answer = createAnswer(this.invite.content ?? '', this.localOffer);
      if ('error' in answer) {
        await this.refuseOffer(answer.error.reason);
        return false;
      }
      this.answerSdp = this.versionedSdp(() => answer.sdp);
      this.answerMedia = answer.media;
    }
    return true;
  }

  /** Our media description before NAT attributes: G.711 both laws, RFC 4733 events, 20 ms, SRTP per policy. */
  private describeLocal(at: { address: string; rtpPort: number; endpointAddress?: string }): LocalMediaOffer {
    return {
      address: at.address,
      port: at.rtpPort,
      codecs: this.ctx.codecs ?? [], // empty: every codec we have (sdp-negotiate.ts)
      telephoneEvent: true,
      comfortNoise: this.ctx.comfortNoise?.() ?? false,
      xrVoipMetrics: true,
      ptime: 20,
      sessionId: this.sessionId,
      sessionVersion: 1,
      families: reachableFamilies(at.endpointAddress ?? at.address),
      ...(this.ctx.srtp?.kind === 'on' ? { srtp: (this.srtpKeys ??= newLocalSrtp(this.ctx.srtp.mode)) } : {}),
    };
  }

  /** RFC 3264 §6: an offer we cannot answer gets 488 with the reason in a Warning (RFC 3261 §20.43). */
  private async refuseOffer(reason: string): Promise<false> {
    if (!this.finalSent) this.sendFinal(488, { headers: { warning: `304 - "${reason.replace(/"/g, "'")}"` } });
    await this.finish({ reason: `488 Not Acceptable Here (${reason})`, status: 488, by: 'local' });
    return false;
  }

  /** Taking the call failed (media could not open): busy when every RTP port is in use, else 500. */
  private async failTaking(err: unknown): Promise<false> {
    const message = err instanceof Error ? err.message : String(err);
    this.ctx.log.error('cannot take incoming call', { callId: this.id, error: message });
    // Every RTP port of our range taken by other calls: we are busy (RFC 3261 §21.4.24), not broken.
    const status = /no free RTP port/.test(message) ? 486 : 500;
    if (!this.finalSent) this.sendFinal(status);
    if (!this.ended) await this.finish({ reason: `cannot take call: ${message}`, status, by: 'error' });
    return false;
  }

  /**
   * RFC 3261 §12.1.1: the UAS copies the INVITE's Record-Route into its dialog-creating responses, so the
   * caller's ACK and BYE go through the proxy; without it they go straight to our Contact, which behind a
   * NAT (issue 4 bench) only the proxy's flow can reach.
   */
  private recordRoute(): { 'record-route'?: NonNullable<SipRequest['headers']['record-route']> } {
    const rr = this.invite.headers['record-route'];
    return rr && rr.length > 0 ? { 'record-route': rr } : {};
  }

  /**
   * 180 Ringing with our tag and Contact. When the INVITE requires 100rel it goes reliably (RFC 3262 §3)
   * and, being the first reliable non-failure message, carries the SDP answer, or our offer for an
   * INVITE without one (§5); the 2xx then repeats that same description.
   */
  private ring(): void {
    const headers = { ...(this.contact ? { contact: [this.contact] } : {}), ...this.recordRoute() };
    if (!wantsReliableProvisional(this.invite)) {
      this.respond(this.invite, 180, { toTag: this.localTag, headers });
      return;
    }
    if (this.answerSdp === undefined) this.earlyOffer = this.versionedSdp((o) => createOffer(o));
    const sdp = this.answerSdp ?? this.earlyOffer;
    this.reliable = new ReliableProvisionalSender(
      this.invite,
      this.ctx.clock,
      (res) => this.ctx.transport.sendResponse(res),
      () => {
        // §3: no PRACK within 64*T1: the INVITE is rejected with a 5xx.
        if (this.finalSent || this.ended) return;
        this.sendFinal(500, { reason: 'Provisional Response Not Acknowledged' });
        void this.finish({ reason: 'no PRACK for our reliable 180 (RFC 3262)', status: 500, by: 'error' });
      },
    );
    const ringing = createResponse(this.invite, 180, {
      toTag: this.localTag,
      headers: { server: this.ctx.userAgent, ...headers, ...(sdp !== undefined ? { 'content-type': 'application/sdp' } : {}) },
      ...(sdp !== undefined ? { content: sdp } : {}),
    });
    this.reliable.sendReliably(ringing);
  }

  /**
   * PRACK in the early dialog (RFC 3262 §3): 200 when it acknowledges our reliable 180, else 481. It
   * carries the answer when our 180 carried an offer; a new offer in it is answered in its 200 (§5).
   */
  protected override onPrack(req: SipRequest): void {
    const reliable = this.reliable;
    if (!reliable || this.finalSent || reliable.prack(req) === 'unknown') {
      this.respond(req, 481);
      return;
    }
    if (hasSdp(req) && this.earlyOffer !== undefined && !this.offerAnsweredInPrack && this.localOffer) {
      const params = parseAnswer(req.content ?? '', this.localOffer);
      if ('error' in params) this.ctx.log.warn('bad SDP answer in PRACK', { callId: this.id, error: params.error });
      else {
        this.offerAnsweredInPrack = true;
        this.answerMedia = params;
      }
      this.respond(req, 200);
      return;
    }
    if (hasSdp(req)) {
      const answer = this.answerOffer(req);
      if (!answer) return;
      this.answerSdp = answer.sdp;
      this.answerMedia = answer.media;
      this.respond(req, 200, { headers: { 'content-type': 'application/sdp' }, content: answer.sdp });
      return;
    }
    this.respond(req, 200);
  }

  private sendFinal(status: number, opts: { reason?: string; headers?: Record<string, string> } = {}): void {
    this.finalSent = true;
    this.reliable?.stop();
    this.respond(this.invite, status, { ...opts, toTag: this.localTag });
  }

  /**
   * 200 OK with our answer (or our offer, for an INVITE without SDP: the ACK answers, RFC 3264 §5). With
   * our reliable 180 not yet PRACKed the 200 waits for the PRACK (RFC 3262 §3: a 1xx with a session
   * description must be acknowledged before the 2xx).
   */
  answer(): Promise<void> {
    if (this.answering) return this.answering;
    if (this.state !== 'ringing' || this.ended || this.finalSent || !this.dialog) {
      return Promise.reject(new Error(`cannot answer a call that is ${this.ended ? 'ended' : this.state}`));
    }
    const reliable = this.reliable;
    this.answering = reliable?.unacknowledged
      ? reliable.whenAcknowledged().then((acked) => (acked && !this.ended && !this.finalSent ? this.sendOk() : undefined))
      : this.mediaReady.then((ready) => {
          if (!ready || this.ended || this.finalSent) throw new Error('the call could not be taken: media did not open');
          return this.sendOk();
        });
    return this.answering;
  }

  private sendOk(): Promise<void> {
    this.reliable?.stop();
    // An offer in our reliable 180 answered by the PRACK: the 2xx repeats that offer, the ACK has no answer.
    const lateOffer = this.answerSdp === undefined && !this.offerAnsweredInPrack;
    const sdp = this.answerSdp ?? (this.offerAnsweredInPrack ? this.earlyOffer : this.versionedSdp((o) => createOffer(o)));
    this.finalSent = true;
    const res = this.respond(this.invite, 200, {
      toTag: this.localTag,
      headers: {
        ...capabilityHeaders(),
        ...(this.timer.kind === 'timer' ? this.timer.headers : {}),
        ...(this.contact ? { contact: [this.contact] } : {}),
        ...this.recordRoute(),
        'content-type': 'application/sdp',
      },
      ...(sdp !== undefined ? { content: sdp } : {}),
    });
    this.retransmit2xx(res, lateOffer ? this.localOffer : undefined);
    this.setState('connected');
    if (this.timer.kind === 'timer') this.refresher.started(this.timer.negotiated, false);
    return this.answerMedia ? this.applyMedia(this.answerMedia) : Promise.resolve();
  }

  reject(status: 486 | 603 = 486): void {
    if (this.ended || this.finalSent) return;
    this.sendFinal(status);
    void this.finish({ reason: statusText({ status, reason: '' }), status, by: 'local' });
  }

  /** CANCEL for our INVITE (§9.2): 200 to the CANCEL; if we had not answered, 487 to the INVITE. */
  onCancel(cancel: SipRequest): void {
    // §9.2: the To tag of the 200 to the CANCEL SHOULD be the one of our responses to the INVITE.
    this.respond(cancel, 200, { toTag: this.localTag });
    if (this.finalSent || this.ended) return;
    this.sendFinal(487);
    void this.finish({ reason: 'cancelled by caller', status: 487, by: 'remote' });
  }

  protected override onRemoteBye(): void {
    // A BYE in the early dialog (§15): the INVITE still needs its final answer.
    if (!this.finalSent) this.sendFinal(487);
    super.onRemoteBye();
  }

  protected onFinish(): void {
    this.reliable?.stop();
  }

  hangup(): Promise<CallEndInfo> {
    if (this.ended) return this.whenEnded();
    if (this.state === 'connected') {
      this.sendBye();
      return this.finish({ reason: 'hung up', by: 'local' });
    }
    if (!this.finalSent) this.sendFinal(603);
    return this.finish({ reason: '603 Decline', status: 603, by: 'local' });
  }
}
