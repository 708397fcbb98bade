// What outgoing and incoming calls share: state and events, media, the dialog and the requests that
// arrive in it (BYE, re-INVITE, OPTIONS, ACK), 2xx retransmission until ACK, and ending exactly once.

import { canTransition, initialCallState } from './call-state';
import { hopOf, type Dialog, type InDialogOptions } from './dialog';
import { createAnswer, createOffer, parseAnswer, type LocalMediaOffer } from './sdp-negotiate';
import { ACCEPT, ALLOW, createResponse, hasSdp, SUPPORTED, type ResponseOptions } from './sip-headers';
import { T1, T2, type CallContext } from './call-context';
import { CallMediaWatch, mediaWatchTimes } from './call-media-watch';
import { Emitter } from '../util/emitter';
import type { TimerId } from './sip-clock';
import type { SipNameAddr, SipRequest, SipResponse } from './sip-message';
import type { ResolvedHop, ResponseHandler, SentRequest } from './sip-transport';
import type { Call, CallEndInfo, CallEvents, CallState } from './user-agent-api';
import type { MediaSession, MediaStartParams, RtpStats } from '../rtp/media-session';

/** Methods we know but do not implement get 405; anything else 501 (RFC 3261 §8.2.1, §21.5.2). */
const KNOWN_METHODS = new Set(['REGISTER', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'INFO', 'REFER', 'MESSAGE', 'UPDATE']);

/** Allow / Accept / Supported: what OPTIONS answers and 2xx to INVITE carry (RFC 3261 §11.2). */
export function capabilityHeaders(): Record<string, string> {
  return { allow: ALLOW, accept: ACCEPT, supported: SUPPORTED };
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

interface Pending2xx {
  seq: number;
  timer: TimerId;
  /** Late offer: the ACK carries the answer to the offer in our 2xx. */
  offer?: LocalMediaOffer;
}

export abstract class CallSession implements Call {
  readonly id: string;
  abstract readonly direction: 'outgoing' | 'incoming';
  remoteUri: string;
  remoteDisplayName: string;
  protected readonly ctx: CallContext;
  protected readonly events = new Emitter<CallEvents>();
  protected media: MediaSession | undefined;
  protected mediaParams: MediaStartParams | undefined;
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
  private pending2xx: Pending2xx | undefined;
  private byeSettled: Promise<void> = Promise.resolve();
  private mediaWatch: CallMediaWatch | undefined;

  protected constructor(ctx: CallContext, id: string, direction: 'outgoing' | 'incoming', remoteUri: string, remoteDisplayName: string) {
    this.ctx = ctx;
    this.id = id;
    this.current = initialCallState(direction);
    this.remoteUri = remoteUri;
    this.remoteDisplayName = remoteDisplayName;
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

  sendDtmf(digits: string): void {
    if (this.current === 'connected') this.media?.sendDtmf(digits);
  }

  setMuted(muted: boolean): void {
    this.media?.setMuted(muted);
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
    this.onFinish();
    this.stop2xx();
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

  /** Sends a request in the dialog to its next hop (route set or remote target). Undefined if it cannot be sent. */
  protected async sendInDialog(method: string, opts: InDialogOptions, onResponse?: ResponseHandler): Promise<SentRequest | undefined> {
    const dialog = this.dialog;
    if (!dialog) return undefined;
    const { request, nextHop } = dialog.createRequest(method, {
      ...opts,
      headers: { 'user-agent': this.ctx.userAgent, ...opts.headers },
    });
    try {
      const hop = await this.resolveHop(nextHop);
      return this.ctx.transport.sendRequest(request, hop.destination, onResponse);
    } catch (err) {
      this.ctx.log.warn(`cannot send ${method}`, { callId: this.id, error: err instanceof Error ? err.message : String(err) });
      return undefined;
    }
  }

  /** BYE (RFC 3261 §15.1.1): the session ends when it is sent; the answer only settles shutdown. */
  protected sendBye(): void {
    this.byeSettled = new Promise<void>((resolve) => {
      void this.sendInDialog('BYE', {}, (res) => {
        if (res.status < 200) return;
        if (res.status >= 300) this.ctx.log.warn('BYE answered with an error', { callId: this.id, status: res.status });
        resolve();
      }).then((sent) => {
        if (!sent) resolve();
      });
    });
  }

  /**
   * A 2xx to INVITE is retransmitted by the UAS core, T1 doubling up to T2, until the ACK arrives;
   * after 64*T1 without ACK the session is ended with a BYE (RFC 3261 §13.3.1.4).
   */
  protected retransmit2xx(res: SipResponse, offer?: LocalMediaOffer): void {
    this.stop2xx();
    const started = this.ctx.clock.now();
    const seq = res.headers.cseq.seq;
    let interval = T1;
    const tick = (): void => {
      if (!this.pending2xx || this.pending2xx.seq !== seq) return;
      if (this.ctx.clock.now() - started >= 64 * T1) {
        this.pending2xx = undefined;
        this.sendBye();
        void this.finish({ reason: 'no ACK from remote', by: 'error' });
        return;
      }
      this.ctx.transport.sendResponse(res);
      interval = Math.min(interval * 2, T2);
      this.pending2xx.timer = this.ctx.clock.setTimeout(tick, Math.min(interval, started + 64 * T1 - this.ctx.clock.now()));
    };
    this.pending2xx = { seq, timer: this.ctx.clock.setTimeout(tick, T1), ...(offer ? { offer } : {}) };
  }

  private stop2xx(): void {
    if (this.pending2xx) this.ctx.clock.clearTimeout(this.pending2xx.timer);
    this.pending2xx = undefined;
  }

  /** An ACK in our dialog: stops the 2xx retransmissions; with a late offer it carries the answer. */
  handleAck(ack: SipRequest): void {
    const pending = this.pending2xx;
    if (!pending || ack.headers.cseq.seq !== pending.seq) return;
    this.stop2xx();
    if (pending.offer) {
      if (!hasSdp(ack)) {
        this.sendBye();
        void this.finish({ reason: 'no SDP answer in ACK', by: 'error' });
        return;
      }
      const params = parseAnswer(ack.content ?? '', pending.offer);
      if ('error' in params) {
        this.sendBye();
        void this.finish({ reason: `bad SDP answer: ${params.error}`, by: 'error' });
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
      case 'OPTIONS':
        this.respond(req, 200, { headers: capabilityHeaders() });
        return;
      default:
        this.respond(req, unsupportedMethodStatus(req.method), { headers: { allow: ALLOW } });
    }
  }

  protected onRemoteBye(): void {
    void this.finish({ reason: 'hung up by remote', by: 'remote' });
  }

  /** re-INVITE (RFC 3261 §14.2): hold/unhold or a new address; answered in a 2xx sent until ACKed. */
  private onReinvite(req: SipRequest): void {
    if (this.pending2xx || this.current !== 'connected') {
      // §14.2: a re-INVITE while a previous INVITE transaction is still open gets 500 with Retry-After.
      this.respond(req, 500, { headers: { 'retry-after': String(Math.floor(Math.random() * 10)) } });
      return;
    }
    this.dialog?.refreshTarget(req);
    const headers = { ...capabilityHeaders(), 'content-type': 'application/sdp' };
    const contact = this.contact ? { contact: [this.contact] } : {};
    if (!this.localOffer) {
      this.respond(req, 500);
      return;
    }
    if (hasSdp(req)) {
      const offer = req.content ?? '';
      const probe = createAnswer(offer, this.localOffer);
      if ('error' in probe) {
        this.respond(req, 488, { headers: { warning: `304 - "${probe.error.reason.replace(/"/g, "'")}"` } });
        return;
      }
      const sdp = this.versionedSdp((local) => {
        const r = createAnswer(offer, local);
        return 'error' in r ? probe.sdp : r.sdp;
      });
      const res = this.respond(req, 200, { headers: { ...headers, ...contact }, content: sdp ?? probe.sdp });
      this.retransmit2xx(res);
      void this.applyMedia(probe.media);
      return;
    }
    // No offer in the re-INVITE: we offer in the 2xx, the ACK answers (RFC 3261 §14.2 / RFC 3264 §5).
    const sdp = this.versionedSdp((local) => createOffer(local)) ?? createOffer(this.localOffer);
    const res = this.respond(req, 200, { headers: { ...headers, ...contact }, content: sdp });
    this.retransmit2xx(res, this.localOffer);
  }
}
