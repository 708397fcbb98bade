// REFER progress (RFC 3515 and its implicit "refer" subscription): as transferor, what the NOTIFYs to our
// REFER report; as transferee, the NOTIFYs we send about the call we placed for the peer's REFER. Pure:
// requests go out through functions passed in.
import { buildSipfrag, eventPackage, isSipfrag, parseSipfrag, parseSubscriptionState, SIPFRAG_TYPE } from './sipfrag';
import { headerText, reasonPhrase } from './sip-headers';
import type { SipRequest } from './sip-message';
import type { Call, TransferProgress } from './user-agent-api';

/**
 * Our REFER and its implicit subscription (RFC 3515 §2.4.4): the REFER's answer and each NOTIFY's
 * sipfrag become progress; a final sipfrag status or Subscription-State: terminated ends it.
 */
export class ReferSubscriber {
  private done = false;
  private accepted = false;

  constructor(private readonly onProgress: (p: TransferProgress) => void) {
    onProgress({ status: 'requested', reason: 'REFER sent' });
  }

  get finished(): boolean {
    return this.done;
  }

  /** The final answer to our REFER: 202 (or any 2xx) accepts; an error ends the transfer. */
  onReferResponse(status: number, reason: string): void {
    if (this.done || status < 200) return;
    if (status < 300) {
      if (this.accepted) return;
      this.accepted = true;
      this.onProgress({ status: 'accepted', code: status, reason });
    } else {
      this.finish({ status: 'failed', code: status, reason: `REFER refused: ${status} ${reason}`.trim() });
    }
  }

  /**
   * A NOTIFY in the call's dialog; returns the status to answer it with. RFC 6665 §8.2.1: 489 for an
   * event package we did not subscribe to; 481 when no REFER of ours is waiting for news (§4.1.3).
   */
  onNotify(req: SipRequest): number {
    if (eventPackage(headerText(req, 'event') ?? headerText(req, 'o')) !== 'refer') return 489;
    if (this.done) return 481;
    const state = parseSubscriptionState(headerText(req, 'subscription-state'));
    if (!state) return 400;
    const frag = isSipfrag(headerText(req, 'content-type')) ? parseSipfrag(req.content) : null;
    if (frag && frag.status >= 200) {
      const text = `${frag.status} ${frag.reason || reasonPhrase(frag.status)}`.trim();
      this.finish(frag.status < 300 ? { status: 'succeeded', code: frag.status, reason: text } : { status: 'failed', code: frag.status, reason: text });
    } else if (frag) {
      const text = `${frag.status} ${frag.reason || reasonPhrase(frag.status)}`.trim();
      this.onProgress({ status: frag.status === 100 ? 'trying' : 'ringing', code: frag.status, reason: text });
    }
    // §2.4.7: the subscription may end without a final status (e.g. timeout): the outcome is unknown.
    if (!this.done && state.state === 'terminated') this.finish({ status: 'failed', reason: `subscription ended (${state.reason ?? 'no reason'}) without a final status` });
    return 200;
  }

  /** The call ended (or a new REFER replaced this one) before a final NOTIFY. */
  abandon(reason: string): void {
    if (!this.done) this.finish({ status: 'failed', reason });
  }

  private finish(p: TransferProgress): void {
    this.done = true;
    this.onProgress(p);
  }
}

/**
 * The status for a NOTIFY in a call's dialog (RFC 6665 §8.2.1, §4.1.3): 489 for an event package we
 * never subscribe to, 481 for "refer" with no REFER of ours waiting, else the subscriber's judgement.
 */
export function answerNotify(sub: ReferSubscriber | undefined, req: SipRequest): number {
  if (eventPackage(headerText(req, 'event') ?? headerText(req, 'o')) !== 'refer') return 489;
  return sub ? sub.onNotify(req) : 481;
}

/** A NOTIFY about the referred call: Event, Subscription-State and the sipfrag body (RFC 3515 §2.4.5). */
export interface ReferNotify {
  headers: Record<string, string>;
  content: string;
  contentType: string;
}

/** RFC 3515 §2.4.4, §2.4.5: the NOTIFY for the referred call's status; final ones end the subscription. */
export function referNotify(status: number, reason: string, expiresSeconds = 60): ReferNotify {
  const final = status >= 200;
  return {
    headers: { event: 'refer', 'subscription-state': final ? 'terminated;reason=noresource' : `active;expires=${expiresSeconds}` },
    content: buildSipfrag(status, reason || reasonPhrase(status)),
    contentType: SIPFRAG_TYPE,
  };
}

/**
 * Follows the call we placed for the peer's REFER and reports it in NOTIFYs: 100 Trying at once, 180
 * when it rings, 200 when it connects, the failure status when it ends first (RFC 3515 §2.4.5).
 * `alreadyTrying`: the 100 went out already (the user was asked first).
 */
export function notifyReferProgress(call: Call, send: (n: ReferNotify) => void, alreadyTrying = false): void {
  let final = false;
  if (!alreadyTrying) send(referNotify(100, 'Trying'));
  const offState = call.on('state', (s) => {
    if (final) return;
    if (s === 'ringing') send(referNotify(180, 'Ringing'));
    if (s === 'connected') {
      final = true;
      send(referNotify(200, 'OK'));
      offState();
    }
  });
  const offEnded = call.on('ended', (info) => {
    offEnded();
    offState();
    if (final) return;
    final = true;
    const status = info.status !== undefined && info.status >= 300 ? info.status : 503;
    send(referNotify(status, info.status !== undefined && info.status >= 300 ? reasonPhrase(status) : info.reason));
  });
}
