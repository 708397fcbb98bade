// Keeping a session alive (RFC 4028): the session timer of one call, and the refresh we send when we are
// the refresher: an UPDATE without SDP when the peer allows UPDATE (§7.4, RFC 3311), else a re-INVITE;
// with their answers (2xx -> a new interval (and ACK for INVITE), 405/501 to UPDATE -> re-INVITE, 422,
// 491, 408/481 -> BYE).

import {
  answerSessionTimer,
  minSeFrom422,
  requestTimerHeaders,
  sessionFromAnswer,
  SessionTimer,
  type Negotiated,
  type SessionTimerConfig,
  type UasTimerOutcome,
} from './session-timer';
import { ALLOW, statusText, SUPPORTED } from './sip-headers';
import type { InDialogOptions } from './dialog';
import type { Clock, TimerId } from './sip-clock';
import type { SipRequest, SipResponse } from './sip-message';
import type { ResponseHandler, SentRequest } from './sip-transport';
import type { Logger } from '../util/logger';

/** What the refresher needs from its call (implemented by CallSession). */
export interface RefreshHost {
  readonly clock: Clock;
  readonly log: Logger;
  readonly callId: string;
  readonly config: SessionTimerConfig;
  /** True while the call is connected and not ending. */
  canRefresh(): boolean;
  /** True while an INVITE transaction from the peer is still open (our 2xx not yet ACKed). */
  answeringInvite(): boolean;
  /** True when the peer's Allow (in its INVITE or 2xx) lists UPDATE: refreshes then go by UPDATE. */
  peerAllowsUpdate(): boolean;
  /** Our current SDP as an offer (same o= version when nothing changed, RFC 3264 §8), or undefined. */
  offer(): string | undefined;
  send(method: string, opts: InDialogOptions, onResponse?: ResponseHandler): Promise<SentRequest | undefined>;
  /** A 2xx to our re-INVITE: new target (§12.2.1.2) and the SDP answer applied. */
  accept2xx(res: SipResponse): void;
  /** A 2xx to our UPDATE: only its Contact counts (UPDATE is a target refresh, RFC 3311 §5.1). */
  refreshTarget(res: SipResponse): void;
  /** §10: BYE and end the call with `reason`. */
  end(reason: string): void;
}

/** RFC 3261 §14.1: after 491 the Call-ID owner waits 2.1-4 s, the other side 0-2 s; we wait in between. */
const RETRY_AFTER_491_MS = 2100;
/** A refresh that cannot go out now (the peer's INVITE is open) is tried again this much later. */
const BUSY_RETRY_MS = 1000;

interface RefreshState {
  /** A 2xx arrived (and was ACKed): later copies of it only get the same ACK again. */
  acked: boolean;
  ack?: SentRequest;
}

export class SessionRefresh {
  readonly timer: SessionTimer;
  /** Our refresh re-INVITE in progress: the peer's re-INVITE meanwhile gets 491 (RFC 3261 §14.2). */
  private inFlight: RefreshState | undefined;
  private retryTimer: TimerId | undefined;
  /** Interval and Min-SE for the next refresh; raised by a 422 (§7.3). */
  private minSe: number;
  /** Our refresh UPDATE without a final answer: no second refresh meanwhile. */
  private updating = false;
  /** The peer refused an UPDATE (405/501) although its Allow listed it: re-INVITE from then on. */
  private updateRefused = false;
  /** Our SDP changed (hold / resume) and no re-INVITE with it has been answered 2xx yet. */
  private offerPending = false;

  constructor(private readonly host: RefreshHost) {
    this.minSe = host.config.minSeconds;
    this.timer = new SessionTimer(host.clock, {
      refresh: () => this.refresh(),
      expire: () => {
        this.host.log.warn('session expired without refresh', { callId: this.host.callId });
        this.host.end('session expired: no session refresh (RFC 4028)');
      },
    });
  }

  /** True while our refresh re-INVITE has no final answer. */
  get inviting(): boolean {
    return this.inFlight !== undefined && !this.inFlight.acked;
  }

  /** A transaction negotiated `n` (we were its UAC when `weWereUac`): the timer starts again. */
  started(n: Negotiated, weWereUac: boolean): void {
    this.timer.start(n, weWereUac);
  }

  /**
   * As UAS of a re-INVITE or UPDATE (RFC 4028 §9): what its Session-Expires asks for. Too small: `reject`
   * answers it (422 with our Min-SE) and the result is undefined.
   */
  negotiate(req: SipRequest, reject: (minSe: number) => void): UasTimerOutcome | undefined {
    const timer = answerSessionTimer(req, this.host.config, { mayInsert: false });
    if (timer.kind !== 'too-small') return timer;
    reject(timer.minSe);
    return undefined;
  }

  /** We answered such a request 2xx: the timer runs again with what it negotiated, or stops (§9). */
  answered(timer: UasTimerOutcome): void {
    if (timer.kind === 'timer') this.started(timer.negotiated, false);
    else this.stopped();
  }

  /** A 422 to the initial INVITE raised the Min-SE: refreshes use it too (RFC 4028 §7.3). */
  useMinSe(min: number): void {
    this.minSe = Math.max(this.minSe, min);
  }

  /** A refresh without Session-Expires in its answer turns the timer off (§7.2, §9). */
  stopped(): void {
    this.timer.stop();
  }

  dispose(): void {
    this.timer.stop();
    this.host.clock.clearTimeout(this.retryTimer);
  }

  private later(ms: number): void {
    this.host.clock.clearTimeout(this.retryTimer);
    this.retryTimer = this.host.clock.setTimeout(() => this.refresh(), ms);
  }

  /**
   * §7.4: the refresher's refresh with Session-Expires and refresher=uac: an UPDATE without a body when
   * the peer allows UPDATE (it changes no session, so there is no offer to glare with), else a
   * re-INVITE with the same SDP.
   */
  refresh(interval?: number): void {
    const current = this.timer.current;
    if (!this.host.canRefresh()) return;
    // A new offer of ours (hold, resume) waits: only a re-INVITE carries it, also on a retry after 491.
    const seconds = Math.max(interval ?? current?.interval ?? this.host.config.expiresSeconds, this.minSe);
    const headers: Record<string, string> = {
      supported: SUPPORTED,
      allow: ALLOW,
      ...requestTimerHeaders(seconds, this.minSe, 'uac'),
    };
    if (this.host.peerAllowsUpdate() && !this.updateRefused && !this.offerPending) {
      if (this.updating) return;
      this.updating = true;
      this.host.log.info('session refresh by UPDATE', { callId: this.host.callId, interval: seconds });
      void this.host
        .send('UPDATE', { headers }, (res, info) => this.onUpdateResponse(seconds, res, info.synthetic))
        .then((sent) => {
          if (!sent) this.updating = false;
        });
      return;
    }
    if (this.host.answeringInvite() || this.inviting) {
      this.later(BUSY_RETRY_MS);
      return;
    }
    const sdp = this.host.offer();
    const state: RefreshState = { acked: false };
    this.inFlight = state;
    this.host.log.info('session refresh', { callId: this.host.callId, interval: seconds });
    void this.host
      .send('INVITE', { headers, ...(sdp !== undefined ? { content: sdp, contentType: 'application/sdp' } : {}) }, (res, info) => this.onResponse(state, seconds, res, info.synthetic))
      .then((sent) => {
        if (!sent && this.inFlight === state) this.inFlight = undefined;
      });
  }

  /**
   * A re-INVITE with our changed SDP (RFC 3264 §8: hold / resume), which also refreshes the session
   * (RFC 4028 §7.4). Kept pending until a 2xx answers one, so a 491 retry (§14.1) still carries it.
   */
  reoffer(): void {
    this.offerPending = true;
    this.refresh();
  }

  private onUpdateResponse(seconds: number, res: SipResponse, synthetic: boolean): void {
    if (res.status < 200) return;
    this.updating = false;
    if (!this.host.canRefresh()) return;
    if (res.status < 300) {
      this.host.refreshTarget(res);
      const n = sessionFromAnswer(res, this.minSe);
      if (n) this.started(n, true);
      else this.stopped();
      return;
    }
    if (res.status === 405 || res.status === 501) {
      // RFC 3311 §5.1 / RFC 3261 §21.4.6: UPDATE not implemented after all: refresh by re-INVITE now.
      this.updateRefused = true;
      this.refresh(seconds);
      return;
    }
    this.failed(seconds, res, synthetic);
  }

  private onResponse(state: RefreshState, seconds: number, res: SipResponse, synthetic: boolean): void {
    if (res.status < 200) return;
    if (res.status < 300) {
      if (state.acked) {
        // A retransmitted 2xx: our ACK was lost (RFC 3261 §13.2.2.4).
        state.ack?.resend();
        return;
      }
      state.acked = true;
      this.offerPending = false;
      if (this.inFlight === state) this.inFlight = undefined;
      void this.host.send('ACK', { seq: res.headers.cseq.seq }).then((ack) => {
        if (ack) state.ack = ack;
      });
      if (!this.host.canRefresh()) return;
      this.host.accept2xx(res);
      const n = sessionFromAnswer(res, this.minSe);
      if (n) this.started(n, true);
      else this.stopped();
      return;
    }
    if (this.inFlight === state) this.inFlight = undefined;
    if (!this.host.canRefresh()) return;
    this.failed(seconds, res, synthetic);
  }

  /** A refresh (UPDATE or re-INVITE) got a final error. */
  private failed(seconds: number, res: SipResponse, synthetic: boolean): void {
    const min = res.status === 422 ? minSeFrom422(res, seconds) : undefined;
    if (min !== undefined) {
      // §7.3: ask again with the peer's minimum.
      this.minSe = min;
      this.refresh(min);
      return;
    }
    if (res.status === 491) {
      this.later(RETRY_AFTER_491_MS);
      return;
    }
    if (res.status === 408 || res.status === 481) {
      // §10: the refresh timed out or the dialog is gone: the session is over.
      this.host.end(`session refresh failed: ${synthetic ? 'no answer' : statusText(res)}`);
      return;
    }
    // Other errors leave the session as it was (RFC 3261 §14.1); without a refresh it expires (§10).
    this.host.log.warn('session refresh refused', { callId: this.host.callId, status: res.status });
  }
}
