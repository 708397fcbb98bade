// The transfer roles of one call (issue 11): as transferor, our REFER (RFC 3515 §2.4.1) and its NOTIFYs;
// as transferee, the peer's REFER acted on (§2.4.2) and the placed call NOTIFYed. CallSession delegates
// here; what it needs from the call comes in as TransferHost. Pure.
import { answerNotify, notifyReferProgress, referNotify, ReferSubscriber, type ReferNotify } from './refer-progress';
import type { PendingAsk } from './transfer-asks';
import { judgeReferTo, referToUri } from './refer';
import { replacesFor } from './replaces';
import { headerText, statusText, type ResponseOptions } from './sip-headers';
import type { CallContext } from './call-context';
import type { CallSession } from './call-session';
import type { Dialog, InDialogOptions } from './dialog';
import type { InDialogResponseHandler } from './in-dialog-request';
import type { SipNameAddr, SipRequest } from './sip-message';
import type { SentRequest } from './sip-transport';
import type { Call, TransferProgress } from './user-agent-api';

export interface TransferHost {
  readonly ctx: CallContext;
  readonly call: CallSession;
  dialog(): Dialog | undefined;
  contact(): SipNameAddr | undefined;
  /** Connected and not ending. */
  connected(): boolean;
  send(method: string, opts: InDialogOptions, onResponse?: InDialogResponseHandler): Promise<SentRequest | undefined>;
  respond(req: SipRequest, status: number, opts?: ResponseOptions): void;
  emit(progress: TransferProgress): void;
  /** Ends the call with a BYE (after a successful transfer, as desk phones do). */
  hangup(): void;
}

export class CallTransfers {
  /** Our REFER waiting for its NOTIFYs, while a transfer of this call is under way. */
  private referOut: ReferSubscriber | undefined;
  /** The call we placed for the peer's last REFER: one at a time, so a REFER flood cannot dial out. */
  private referredCall: Call | undefined;
  /** Policy 'ask' (issue 11): the peer's REFER waiting for the user's answer. */
  private asking: PendingAsk | undefined;

  constructor(private readonly host: TransferHost) {}

  /**
   * REFER in this dialog with Refer-To the target, or for an attended transfer the party of `other`
   * (another connected call's dialog) with that dialog escaped into it (RFC 3891 §6.2).
   */
  transfer(target: string, other?: Dialog): { ok: true } | { ok: false; reason: string } {
    const { ctx } = this.host;
    const dialog = this.host.dialog();
    if (!this.host.connected() || !dialog) return { ok: false, reason: 'only a connected call can be transferred' };
    if (this.referOut && !this.referOut.finished) return { ok: false, reason: 'a transfer of this call is already under way' };
    let referTo: string;
    if (other) {
      // The transfer target is the other call's peer: its AOR (its Contact in direct-IP mode, where
      // AORs are not routable), with that dialog named for its side.
      referTo = referToUri(ctx.fromUri ? other.remote.uri : other.remoteTarget, replacesFor(other));
    } else {
      const resolved = ctx.resolveTarget ? ctx.resolveTarget(target) : { uri: target };
      if ('error' in resolved) return { ok: false, reason: `invalid target: ${resolved.error}` };
      referTo = referToUri(resolved.uri);
    }
    const sub = new ReferSubscriber((p) => {
      this.host.emit(p);
      if (p.status === 'succeeded' && this.host.connected()) this.host.hangup();
    });
    this.referOut = sub;
    const contact = this.host.contact();
    void this.host
      .send('REFER', { ...(contact ? { contact } : {}), headers: { 'refer-to': `<${referTo}>`, 'referred-by': `<${dialog.local.uri}>` } }, (res, info, authFailure) =>
        sub.onReferResponse(res.status, authFailure ?? (info.synthetic ? `no answer (${statusText(res)})` : res.reason)),
      )
      .then((sent) => {
        if (!sent) sub.abandon('cannot send REFER');
      });
    return { ok: true };
  }

  /** A NOTIFY in the dialog: its status (RFC 6665). */
  onNotify(req: SipRequest): number {
    return answerNotify(this.referOut, req);
  }

  /**
   * A REFER from our peer (RFC 3515 §2.4.2): 403 unless transfers are accepted (a REFER makes us call
   * somebody: toll fraud, unwanted calls), 491 while the last one's call is up, 400 for a target we
   * will not call; otherwise 202, the call placed and its progress NOTIFYed in this dialog.
   */
  onRefer(req: SipRequest): void {
    const { ctx } = this.host;
    if (!ctx.onRefer || !this.host.connected()) {
      this.host.respond(req, 403, { reason: ctx.onRefer ? 'Forbidden (call not connected)' : 'Forbidden (transfers not accepted)' });
      return;
    }
    if (this.asking || (this.referredCall && this.referredCall.state !== 'ended')) {
      // One transfer at a time per call (RFC 3261 §21.4.27: 491 while a request is pending).
      this.host.respond(req, 491);
      return;
    }
    const referTo = req.headers['refer-to'] as { uri?: unknown } | string | undefined;
    const verdict = judgeReferTo(typeof referTo === 'string' ? referTo : typeof referTo?.uri === 'string' ? referTo.uri : headerText(req, 'r'));
    if ('reason' in verdict) {
      ctx.log.warn('REFER refused', { callId: this.host.call.id, reason: verdict.reason });
      this.host.respond(req, 400, { reason: 'Bad Refer-To' });
      return;
    }
    // REFER is a target refresh request (RFC 3515 §2.4.1, RFC 3261 §12.2).
    this.host.dialog()?.refreshTarget(req);
    const contact = this.host.contact();
    const referredBy = headerText(req, 'referred-by');
    const onRefer = ctx.onRefer;
    const send = (n: ReferNotify) => {
      if (!this.host.connected()) return;
      const c = this.host.contact();
      void this.host.send('NOTIFY', { ...(c ? { contact: c } : {}), headers: n.headers, content: n.content, contentType: n.contentType });
    };
    const act = (alreadyTrying: boolean) => {
      const call = onRefer(this.host.call, verdict.target, referredBy);
      this.referredCall = call;
      notifyReferProgress(call, send, alreadyTrying);
    };
    const pending = ctx.askTransfer?.(this.host.call, verdict.target, referredBy);
    if (pending === null) {
      this.host.respond(req, 503, { reason: 'Service Unavailable (too many transfer requests waiting)' });
      return;
    }
    this.host.respond(req, 202, { headers: contact ? { contact: [contact] } : {} });
    if (!pending) return act(false);
    // Policy 'ask' (issue 11): the REFER is accepted at once and its subscription gets the NOTIFY every
    // accepted REFER owes (RFC 3515 §2.4.4, 100 Trying) while the user decides; a Decline, or no answer
    // within 30 s, is the final NOTIFY "603 Declined" (§2.4.5) and nothing is dialled.
    this.asking = pending;
    send(referNotify(100, 'Trying'));
    void pending.decision.then((accepted) => {
      if (this.asking !== pending) return;
      this.asking = undefined;
      if (!this.host.connected()) return;
      if (accepted) act(true);
      else send(referNotify(603, 'Declined'));
    });
  }

  /** The call ended: a transfer still waiting for news failed. */
  dispose(): void {
    this.referOut?.abandon('the call ended before the transfer finished');
    const asking = this.asking;
    this.asking = undefined;
    asking?.cancel();
  }
}
