// What outgoing and incoming calls share: state and events, media, the dialog and the requests that
// arrive in it (BYE, re-INVITE, UPDATE, OPTIONS, ACK), ours in it answering digest challenges (RFC 3261
// §22), session timers, 2xx retransmission until ACK, and ending exactly once.

import { accountRealms, type AuthPolicy } from './auth-policy';
import { canTransition, initialCallState } from './call-state';
import { DigestClient } from './digest-client';
import { sendInDialogRequest, type InDialogResponseHandler } from './in-dialog-request';
import { hopOf, type Dialog, type InDialogOptions } from './dialog';
import { createAnswer, createOffer, parseAnswer, type LocalMediaOffer } from './sdp-negotiate';
import { ACCEPT, ALLOW, createResponse, hasSdp, optionTags, statusText, supportedHeader, type ResponseOptions } from './sip-headers';
import { parseSipUri } from './sip-uri';
import { SessionRefresh } from './session-refresh';
import { DEFAULT_SESSION_TIMER, type SessionTimerConfig, type UasTimerOutcome } from './session-timer';
import { Retransmit2xx } from './retransmit-2xx';
import type { CallContext } from './call-context';
import { CallMediaWatch, mediaWatchTimes } from './call-media-watch';
import { CallHold, withoutReceive } from './call-hold';
import { CallTransfers, type TransferHost } from './call-transfers';
import { DtmfInfoSender } from './dtmf-info-sender';
import { DTMF_INFO_TYPES, judgeDtmfInfo } from './dtmf-info';
import { Emitter } from '../util/emitter';
import type { SipNameAddr, SipRequest, SipResponse } from './sip-message';
import type { ResolvedHop, SentRequest } from './sip-transport';
import type { Call, CallEndInfo, CallEvents, CallState } from './user-agent-api';
import type { MediaSession, MediaStartParams, RtpStats } from '../rtp/media-session';

/** Methods we know but do not implement get 405; anything else 501 (RFC 3261 §8.2.1, §21.5.2). */
const KNOWN_METHODS = new Set(['REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE']);

/** Allow / Accept / Supported: what OPTIONS answers and 2xx to INVITE carry (RFC 3261 §11.2); no Supported while we implement no option tag. */
export function capabilityHeaders(): Record<string, string> {
  return { allow: ALLOW, accept: ACCEPT, ...supportedHeader() };
}

/** Status for a method we do not handle, with the Allow header §8.2.1 asks for. */
export function unsupportedMethodStatus(method: string): 405 | 501 {
  return KNOWN_METHODS.has(method.toUpperCase()) ? 405 : 501;
}

/** The SDP without its o= line: two descriptions that differ only there describe the same session. */
function withoutOrigin(sdp: string): string {
  return sdp
    .split(/\r?\n/)
    .filter((l) => !l.startsWith('o='))
    .join('\n');
}

export type EndRequest = Omit<CallEndInfo, 'durationSeconds' | 'stats'>;

export abstract class CallSession implements Call {
  readonly id: string;
  abstract readonly direction: 'outgoing' | 'incoming';
  remoteUri: string;
  remoteDisplayName: string;
  protected readonly ctx: CallContext;
  protected readonly events = new Emitter<CallEvents>();
  protected media: MediaSession | undefined;
  protected mediaParams: MediaStartParams | undefined;
  /** Hold both ways (issue 11); the user's own mute is kept apart from it. */
  private readonly holds = new CallHold();
  private userMuted = false;
  protected dialog: Dialog | undefined;
  /** Our side of the SDP: address/port of the RTP socket, o= session id and version (RFC 3264 §8). */
  protected localOffer: LocalMediaOffer | undefined;
  /** Our Contact (RFC 3261 §8.1.1.8): where the peer sends in-dialog requests. */
  protected contact: SipNameAddr | undefined;
  private current: CallState;
  private lastLocalSdp: string | undefined;
  private connectedAt = 0;
  private endInfo: CallEndInfo | undefined;
  private ending = false;
  private endWaiters: Array<(info: CallEndInfo) => void> = [];
  private readonly hops = new Map<string, Promise<ResolvedHop>>();
  private readonly pending2xx: Retransmit2xx;
  private byeSettled: Promise<void> = Promise.resolve();
  private authClient: DigestClient | undefined;
  /** The session timer (RFC 4028) and our refresh re-INVITEs. */
  protected readonly refresher: SessionRefresh;
  private mediaWatch: CallMediaWatch | undefined;
  /** Our keys as SIP INFO, one at a time (DTMF mode "info"). */
  private infoDtmf: DtmfInfoSender | undefined;
  /** The peer's Allow from its INVITE or 2xx (RFC 3261 §20.5): whether refreshes may use UPDATE. */
  protected peerAllow: string | undefined;
  /** Transfer as transferor and transferee (REFER, NOTIFY; issue 11). */
  private readonly transfers = new CallTransfers(this.transferHost());

  protected constructor(ctx: CallContext, id: string, direction: 'outgoing' | 'incoming', remoteUri: string, remoteDisplayName: string) {
    this.ctx = ctx;
    this.id = id;
    this.current = initialCallState(direction);
    this.remoteUri = remoteUri;
    this.remoteDisplayName = remoteDisplayName;
    this.pending2xx = new Retransmit2xx(ctx.clock, (res) => ctx.transport.sendResponse(res), () => this.endWithBye('no ACK from remote'));
    this.refresher = new SessionRefresh({
      clock: ctx.clock,
      log: ctx.log,
      callId: id,
      config: this.timerConfig,
      canRefresh: () => this.current === 'connected' && !this.ending && this.dialog !== undefined,
      answeringInvite: () => this.pending2xx.waiting,
      offer: () => this.versionedSdp((local) => createOffer(local)),
      peerAllowsUpdate: () => optionTags(this.peerAllow).includes('update'),
      // Both are target refresh requests: they carry our Contact (RFC 3261 §12.2.1.1, RFC 3311 §5.1).
      send: (method, opts, onResponse) => this.sendInDialog(method, { ...opts, ...((method === 'INVITE' || method === 'UPDATE') && this.contact ? { contact: this.contact } : {}) }, onResponse),
      accept2xx: (res) => this.acceptReinvite2xx(res),
      refreshTarget: (res) => this.dialog?.refreshTarget(res),
      end: (reason) => this.endWithBye(reason),
    });
  }

  /** The session failed (no ACK, expired, refresh refused): BYE, and the call ends as an error. */
  private endWithBye(reason: string): void {
    this.sendBye();
    void this.finish({ reason, by: 'error' });
  }

  /** Session-Expires we ask for and the Min-SE we hold requests to (RFC 4028). */
  protected get timerConfig(): SessionTimerConfig {
    return this.ctx.sessionTimer ?? DEFAULT_SESSION_TIMER;
  }

  get state(): CallState {
    return this.current;
  }

  get ended(): boolean {
    return this.ending;
  }

  on<K extends keyof CallEvents>(event: K, listener: (payload: CallEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  abstract answer(): Promise<void>;
  abstract reject(status?: 486 | 603): void;
  abstract hangup(): Promise<CallEndInfo>;

  /** Keys the account's way (issue 11): RFC 4733 events, SIP INFO, or tones in the audio. */
  sendDtmf(digits: string): void {
    if (this.current !== 'connected' || this.ending) return;
    const mode = this.ctx.dtmfMode ?? 'rfc4733';
    if (mode === 'info') {
      this.infoDtmf ??= new DtmfInfoSender({
        clock: this.ctx.clock,
        send: (body) =>
          new Promise<number | undefined>((resolve) => {
            void this.sendInDialog('INFO', { content: body, contentType: 'application/dtmf-relay' }, (res) => {
              if (res.status >= 200) resolve(res.status);
            }).then((sent) => {
              if (!sent) resolve(undefined);
            });
          }),
      });
      this.infoDtmf.enqueue(digits);
      return;
    }
    this.media?.sendDtmf(digits, 100, mode);
  }

  record(path: string | null): Promise<void> {
    const media = this.media;
    if (!media?.record || (this.ending && path !== null)) return Promise.reject(new Error('this call has no media to record'));
    return media.record(path);
  }

  setMuted(muted: boolean): void {
    this.userMuted = muted;
    this.media?.setMuted(muted || this.holds.silenced);
  }

  hold(on: boolean): boolean {
    if (this.current !== 'connected' || this.ending || !this.localOffer) return false;
    if (!this.holds.setLocal(on)) return true;
    this.localOffer = { ...this.localOffer, direction: this.holds.offerDirection };
    this.holdChanged();
    // Issue 11: a held call is not heard, at once and whatever the peer keeps sending; the answer to
    // the re-INVITE sets the negotiated direction again (sendrecv on resume).
    if (on && this.mediaParams) void this.applyMedia({ ...this.mediaParams, direction: withoutReceive(this.mediaParams.direction ?? 'sendrecv') });
    // A re-INVITE with the new offer; it also refreshes the session timer (RFC 4028 §7.4), and a 491
    // (glare) is retried after the §14.1 back-off with whatever we want by then.
    this.refresher.reoffer();
    return true;
  }

  /**
   * Transfer (RFC 3515 REFER, call-transfers.ts): blind to `target`, or attended to the party of the
   * connected call `replaces` (RFC 3891). A 2xx sipfrag ends this call with a BYE.
   */
  transfer(target: string, replaces?: Call): { ok: true } | { ok: false; reason: string } {
    if (!replaces) return this.transfers.transfer(target);
    if (!(replaces instanceof CallSession) || replaces === this || !replaces.dialog || replaces.current !== 'connected' || replaces.ending) {
      return { ok: false, reason: 'the call to transfer to must be another connected call' };
    }
    return this.transfers.transfer(target, replaces.dialog);
  }

  /** What CallTransfers needs of this call (built during field initialisation: ctx is read later). */
  private transferHost(): TransferHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    return {
      get ctx() {
        return self.ctx;
      },
      call: self,
      dialog: () => self.dialog,
      contact: () => self.contact,
      connected: () => self.current === 'connected' && !self.ending,
      send: (method, opts, onResponse) => self.sendInDialog(method, opts, onResponse),
      respond: (req, status, opts) => void self.respond(req, status, opts),
      emit: (p) => self.events.emit('transfer', p),
      hangup: () => void self.hangup(),
    };
  }

  /** Conference (issue 11): each call's peer hears the other's besides our microphone; null splits. */
  conference(other: Call | null): boolean {
    if (!this.media) return false;
    if (other === null) return this.media.mixWith?.(null) ?? false;
    if (!(other instanceof CallSession) || other === this || !other.media || this.current !== 'connected' || other.current !== 'connected') return false;
    return (this.media.mixWith?.(other.media) ?? false) && (other.media.mixWith?.(this.media) ?? false);
  }

  /** The dialog's identifiers and whether it is confirmed: for an INVITE with Replaces (RFC 3891 §3). */
  replaceable(): { callId: string; localTag: string; remoteTag: string; confirmed: boolean } | undefined {
    const d = this.dialog;
    return d ? { callId: d.callId, localTag: d.localTag, remoteTag: d.remoteTag, confirmed: this.current === 'connected' && !this.ending } : undefined;
  }

  /** The microphone follows hold (either side) and the user's mute; listeners hear of the change. */
  private holdChanged(): void {
    this.media?.setMuted(this.userMuted || this.holds.silenced);
    this.events.emit('hold', this.holds.status);
  }

  /** Resolves with the end info once the call has ended (and media is closed). */
  whenEnded(): Promise<CallEndInfo> {
    if (this.endInfo) return Promise.resolve(this.endInfo);
    return new Promise((resolve) => this.endWaiters.push(resolve));
  }

  /** Resolves when our BYE (if any) has been answered or given up on: shutdown waits for it before closing the socket. */
  settled(): Promise<void> {
    return this.byeSettled;
  }

  /**
   * The call's digest client (undefined without credentials, direct-IP mode): what the INVITE was
   * challenged with, and the challenges of our requests in the dialog.
   */
  protected get auth(): DigestClient | undefined {
    if (!this.authClient && this.ctx.credentials) this.authClient = new DigestClient(this.ctx.credentials, this.authPolicy());
    return this.authClient;
  }

  /** The account's policy, or the narrowest one: the realm of our From domain only. */
  protected authPolicy(): AuthPolicy {
    if (this.ctx.authPolicy) return this.ctx.authPolicy;
    const host = this.ctx.fromUri ? parseSipUri(this.ctx.fromUri)?.host : undefined;
    return { realms: host ? accountRealms(host) : [], refuseMd5WithoutQop: false };
  }

  protected setState(next: CallState): void {
    if (this.current === next || this.ending) return;
    if (!canTransition(this.current, next)) {
      // UDP reorders: a 180 that arrives after the 200 must not move a connected call back.
      this.ctx.log.debug('ignored call state change', { callId: this.id, from: this.current, to: next });
      return;
    }
    this.current = next;
    if (next === 'connected') this.connectedAt = this.ctx.clock.now();
    this.events.emit('state', next);
    if (next === 'connected') this.watchMedia();
  }

  /** Issue 10: no silent dead calls. Warn when nothing arrives from the peer, hang up when it lasts. */
  private watchMedia(): void {
    const media = this.media;
    if (!media || this.mediaWatch) return;
    this.mediaWatch = new CallMediaWatch({
      clock: this.ctx.clock,
      media,
      times: this.ctx.mediaWatch ?? mediaWatchTimes({}),
      params: () => this.mediaParams,
      onWarning: (w) => {
        this.ctx.log.warn('no media from the peer', { callId: this.id, reason: w.reason });
        this.events.emit('media-warning', w);
      },
      onRestored: (r) => {
        this.ctx.log.info('media from the peer again', { callId: this.id, silentSeconds: r.silentSeconds, cause: r.cause });
        this.events.emit('media-restored', r);
      },
      onTimeout: (reason) => {
        if (this.ending || this.current !== 'connected') return;
        this.sendBye();
        void this.finish({ reason, by: 'error' });
      },
    });
    this.mediaWatch.start();
  }

  /** Subclasses stop their own timers here. */
  protected abstract onFinish(): void;

  /** Ends the call exactly once: timers off, dialog forgotten, media closed, 'ended' emitted. */
  protected finish(req: EndRequest): Promise<CallEndInfo> {
    if (this.ending) return this.whenEnded();
    this.ending = true;
    this.mediaWatch?.stop();
    this.infoDtmf?.stop();
    this.onFinish();
    this.refresher.dispose();
    this.transfers.dispose();
    this.pending2xx.stop();
    if (this.dialog) this.ctx.removeDialog(this.dialog.id);
    const durationSeconds = this.connectedAt > 0 ? Math.max(0, (this.ctx.clock.now() - this.connectedAt) / 1000) : 0;
    this.current = 'ended';
    this.events.emit('state', 'ended');
    this.ctx.log.info('call ended', { callId: this.id, reason: req.reason, status: req.status, by: req.by });
    return this.closeMedia().then((stats) => {
      const info: CallEndInfo = { ...req, durationSeconds, ...(stats ? { stats } : {}) };
      this.endInfo = info;
      this.ctx.onCallEnded(this);
      this.events.emit('ended', info);
      const waiters = this.endWaiters;
      this.endWaiters = [];
      for (const w of waiters) w(info);
      return info;
    });
  }

  private async closeMedia(): Promise<RtpStats | undefined> {
    const media = this.media;
    if (!media) return undefined;
    let timer: unknown;
    try {
      // A media engine that hangs must not keep the call from ending.
      return await Promise.race([
        media.close(),
        new Promise<undefined>((resolve) => {
          timer = this.ctx.clock.setTimeout(() => resolve(undefined), 3000);
        }),
      ]);
    } catch (err) {
      this.ctx.log.warn('media close failed', { callId: this.id, error: String(err) });
      return undefined;
    } finally {
      this.ctx.clock.clearTimeout(timer);
    }
  }

  /** Starts media with negotiated parameters, or updates it when it already runs (re-INVITE, 2xx after 183). */
  protected async applyMedia(params: MediaStartParams): Promise<void> {
    if (!this.media || this.ending) return;
    const first = this.mediaParams === undefined;
    if (!first && JSON.stringify(params) === JSON.stringify(this.mediaParams)) return;
    this.mediaParams = params;
    if (first) this.media.on('dtmf', ({ digit }) => this.keyReceived(digit, 'rfc4733'));
    try {
      if (first) await this.media.start(params);
      else await this.media.update(params);
    } catch (err) {
      this.ctx.log.error('media start failed', { callId: this.id, error: String(err) });
    }
  }

  /** Our next SDP: the o= version goes up only when the description changed (RFC 3264 §8). */
  protected versionedSdp(make: (local: LocalMediaOffer) => string): string | undefined {
    if (!this.localOffer) return undefined;
    let sdp = make(this.localOffer);
    if (this.lastLocalSdp !== undefined && withoutOrigin(sdp) !== withoutOrigin(this.lastLocalSdp)) {
      this.localOffer = { ...this.localOffer, sessionVersion: this.localOffer.sessionVersion + 1 };
      sdp = make(this.localOffer);
    }
    this.lastLocalSdp = sdp;
    return sdp;
  }

  protected respond(req: SipRequest, status: number, opts: ResponseOptions = {}): SipResponse {
    const res = createResponse(req, status, { ...opts, headers: { server: this.ctx.userAgent, ...opts.headers } });
    this.ctx.transport.sendResponse(res);
    return res;
  }

  private resolveHop(uri: string): Promise<ResolvedHop> {
    let p = this.hops.get(uri);
    if (!p) {
      const hop = hopOf(uri);
      p = hop ? this.ctx.transport.resolve(hop) : Promise.reject(new Error(`bad next hop ${uri}`));
      this.hops.set(uri, p);
      p.catch(() => this.hops.delete(uri));
    }
    return p;
  }

  /**
   * Sends a request in the dialog (challenges answered, see in-dialog-request.ts); `dialog` is another
   * (early) dialog of this call, e.g. for a PRACK. Undefined if it cannot be sent.
   */
  protected sendInDialog(method: string, opts: InDialogOptions, onResponse?: InDialogResponseHandler, dialog = this.dialog): Promise<SentRequest | undefined> {
    if (!dialog) return Promise.resolve(undefined);
    const ctx = this.ctx;
    return sendInDialogRequest(
      {
        dialog,
        transport: ctx.transport,
        log: ctx.log,
        callId: this.id,
        userAgent: ctx.userAgent,
        resolveHop: (uri) => this.resolveHop(uri),
        isAccountHop: (to) => ctx.isAccountHop?.(to) ?? Promise.resolve(false),
        auth: this.auth,
      },
      method,
      opts,
      onResponse,
    );
  }

  /**
   * BYE (RFC 3261 §15.1.1): the session ends when it is sent; the answer only settles shutdown. A BYE
   * the server does not accept (a challenge we could not answer, an error) leaves the call up on its
   * side, so the user is told; 481 and 408 mean the dialog is gone there too (§12.2.1.2).
   */
  protected sendBye(): void {
    this.byeSettled = new Promise<void>((resolve) => {
      void this.sendInDialog('BYE', {}, (res, info, authFailure) => {
        if (res.status < 200) return;
        if (res.status >= 300 && !info.synthetic && res.status !== 481 && res.status !== 408) {
          const why = authFailure ?? statusText(res);
          this.ctx.log.warn('BYE answered with an error', { callId: this.id, status: res.status, reason: why });
          this.ctx.warn?.(`hang-up not accepted by the server (BYE: ${why}); it may still count the call as up`);
        }
        resolve();
      }).then((sent) => {
        if (!sent) resolve();
      });
    });
  }

  /** RFC 3261 §13.3.1.4: our 2xx to an INVITE goes out again until its ACK arrives. */
  protected retransmit2xx(res: SipResponse, offer?: LocalMediaOffer): void {
    this.pending2xx.start(res, offer);
  }

  /** An ACK in our dialog: stops the 2xx retransmissions; with a late offer it carries the answer. */
  handleAck(ack: SipRequest): void {
    const pending = this.pending2xx.acked(ack.headers.cseq.seq);
    if (pending?.offer) {
      if (!hasSdp(ack)) {
        this.endWithBye('no SDP answer in ACK');
        return;
      }
      const params = parseAnswer(ack.content ?? '', pending.offer);
      if ('error' in params) {
        this.endWithBye(`bad SDP answer: ${params.error}`);
        return;
      }
      void this.applyMedia(params);
    }
  }

  /** A request the user agent matched to our dialog (RFC 3261 §12.2.2). */
  handleRequest(req: SipRequest): void {
    if (req.method === 'ACK') {
      this.handleAck(req);
      return;
    }
    if (this.ending) {
      this.respond(req, 481);
      return;
    }
    if (this.dialog && !this.dialog.acceptRemoteCSeq(req)) {
      this.respond(req, 500, { reason: 'CSeq Out of Order' });
      return;
    }
    switch (req.method) {
      case 'BYE':
        this.respond(req, 200);
        this.onRemoteBye();
        return;
      case 'INVITE':
        this.onReinvite(req);
        return;
      case 'UPDATE':
        this.onUpdate(req);
        return;
      case 'PRACK':
        this.onPrack(req);
        return;
      case 'OPTIONS':
        this.respond(req, 200, { headers: capabilityHeaders() });
        return;
      case 'REFER':
        this.transfers.onRefer(req);
        return;
      case 'NOTIFY':
        // RFC 6665 §4.1.3: a NOTIFY matching no subscription of ours gets 481.
        this.respond(req, this.transfers.onNotify(req));
        return;
      case 'INFO':
        this.onInfo(req);
        return;
      default:
        this.respond(req, unsupportedMethodStatus(req.method), { headers: { allow: ALLOW } });
    }
  }

  /**
   * INFO in the dialog (RFC 6086 §4.2.2): a key press in application/dtmf-relay or application/dtmf is
   * answered 200 and reported; an empty INFO gets 200; another body type 415 with what we read.
   */
  private onInfo(req: SipRequest): void {
    const verdict = judgeDtmfInfo(req.headers['content-type'], req.content);
    if (verdict.kind === 'unsupported') {
      this.respond(req, 415, { headers: { accept: DTMF_INFO_TYPES.join(', ') } });
      return;
    }
    this.respond(req, 200);
    if (verdict.kind === 'digit') this.keyReceived(verdict.digit, 'info');
    else if (verdict.kind === 'ignored') this.ctx.log.debug('INFO without a key', { callId: this.id, reason: verdict.reason });
  }

  /** The peer pressed a key: reported while the call is up (early media's events too). */
  private keyReceived(digit: string, via: 'rfc4733' | 'info'): void {
    if (this.ending) return;
    this.ctx.log.info('DTMF received', { callId: this.id, digit, via });
    this.events.emit('dtmf', { digit, via });
  }

  /** RFC 3262 §3: a PRACK that matches no unacknowledged reliable 1xx of ours gets 481 (IncomingCall matches). */
  protected onPrack(req: SipRequest): void {
    this.respond(req, 481);
  }

  protected onRemoteBye(): void {
    void this.finish({ reason: 'hung up by remote', by: 'remote' });
  }

  /** re-INVITE (RFC 3261 §14.2): hold/unhold or a new address; answered in a 2xx sent until ACKed. */
  private onReinvite(req: SipRequest): void {
    if (this.pending2xx.waiting || this.current !== 'connected') {
      // §14.2: a re-INVITE while a previous INVITE transaction is still open gets 500 with Retry-After.
      this.respond(req, 500, { headers: { 'retry-after': String(Math.floor(Math.random() * 10)) } });
      return;
    }
    if (this.refresher.inviting) {
      // §14.2: our own re-INVITE is waiting for its answer: glare.
      this.respond(req, 491);
      return;
    }
    const timer = this.timerFor(req);
    if (!timer) return;
    this.dialog?.refreshTarget(req);
    const headers = { ...capabilityHeaders(), ...(timer.kind === 'timer' ? timer.headers : {}), 'content-type': 'application/sdp' };
    const contact = this.contact ? { contact: [this.contact] } : {};
    if (!this.localOffer) {
      this.respond(req, 500);
      return;
    }
    if (hasSdp(req)) {
      const answer = this.answerOffer(req);
      if (!answer) return;
      const res = this.respond(req, 200, { headers: { ...headers, ...contact }, content: answer.sdp });
      this.retransmit2xx(res);
      this.refresher.answered(timer);
      void this.applyMedia(answer.media);
      if (this.holds.remoteOffer(req.content ?? '')) this.holdChanged();
      return;
    }
    // No offer in the re-INVITE: we offer in the 2xx, the ACK answers (RFC 3261 §14.2 / RFC 3264 §5).
    const sdp = this.versionedSdp((local) => createOffer(local)) ?? createOffer(this.localOffer);
    const res = this.respond(req, 200, { headers: { ...headers, ...contact }, content: sdp });
    this.retransmit2xx(res, this.localOffer);
    this.refresher.answered(timer);
  }

  /** RFC 4028 §9: the session timer `req` asks for; undefined after answering it 422 with our Min-SE. */
  private timerFor(req: SipRequest): UasTimerOutcome | undefined {
    return this.refresher.negotiate(req, (minSe) => this.respond(req, 422, { headers: { 'min-se': String(minSe) } }));
  }

  /** A 2xx to our re-INVITE: new remote target (§12.2.1.2), and its SDP answer applied. */
  private acceptReinvite2xx(res: SipResponse): void {
    this.dialog?.refreshTarget(res);
    if (!hasSdp(res) || !this.localOffer) return;
    const params = parseAnswer(res.content ?? '', this.localOffer);
    if ('error' in params) this.ctx.log.warn('bad SDP answer to our re-INVITE', { callId: this.id, error: params.error });
    else void this.applyMedia(params);
  }

  /**
   * UPDATE (RFC 3311): answered at once with 200. Without a body it only refreshes the session timer
   * (RFC 4028 §9) and the remote target (§5.2); with an SDP offer we answer it like a re-INVITE's.
   */
  private onUpdate(req: SipRequest): void {
    const withOffer = hasSdp(req) && this.localOffer !== undefined;
    if (withOffer && (this.refresher.inviting || this.pending2xx.waiting)) {
      // RFC 3311 §5.2: an offer while one of ours (or our answer's ACK) is outstanding gets 491.
      this.respond(req, 491);
      return;
    }
    const timer = this.timerFor(req);
    const answer = timer && withOffer ? this.answerOffer(req) : undefined;
    if (!timer || (withOffer && !answer)) return;
    this.dialog?.refreshTarget(req);
    const headers = { ...capabilityHeaders(), ...(timer.kind === 'timer' ? timer.headers : {}), ...(this.contact ? { contact: [this.contact] } : {}) };
    if (answer) this.respond(req, 200, { headers: { ...headers, 'content-type': 'application/sdp' }, content: answer.sdp });
    else this.respond(req, 200, { headers });
    this.refresher.answered(timer);
    if (answer) void this.applyMedia(answer.media);
    if (answer && this.holds.remoteOffer(req.content ?? '')) this.holdChanged();
  }

  /** Our answer to the SDP offer in `req` (RFC 3264 §6), or undefined after answering 488 when unusable. */
  protected answerOffer(req: SipRequest): { sdp: string; media: MediaStartParams } | undefined {
    const offer = req.content ?? '';
    const probe = this.localOffer ? createAnswer(offer, this.localOffer) : { error: { reason: 'no local media' } };
    if ('error' in probe) {
      this.respond(req, 488, { headers: { warning: `304 - "${probe.error.reason.replace(/"/g, "'")}"` } });
      return undefined;
    }
    const sdp = this.versionedSdp((local) => {
      const r = createAnswer(offer, local);
      return 'error' in r ? probe.sdp : r.sdp;
    });
    return { sdp: sdp ?? probe.sdp, media: probe.media };
  }
}
