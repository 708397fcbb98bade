// One subscription of ours (RFC 6665 §4.1, subscriber side): the initial SUBSCRIBE outside any dialog
// (through the outbound proxy, challenges answered within the auth policy), the dialog made by its 2xx or
// by a NOTIFY that overtakes it (§4.1.2.4), refreshes before Expires, NOTIFYs matched and judged, and
// the un-SUBSCRIBE (Expires: 0, §4.1.2.3). Pure: I/O comes in via the call context.
import { DigestClient } from './digest-client';
import { Dialog, hopOf } from './dialog';
import { parseSubscriptionState, refreshDelayMs, sameEvent, type EventHeader, type SubscriptionStateValue } from './event-headers';
import { sendInDialogRequest, standaloneRequestDeps } from './in-dialog-request';
import { localUri } from './inviter';
import { contactsOf, headerText, intOf, routeUri, statusText } from './sip-headers';
import { newCallId, newTag } from './sip-random';
import { accountRealms } from './auth-policy';
import type { CallContext } from './call-context';
import type { TimerId } from './sip-clock';
import type { SipNameAddr, SipRequest, SipResponse } from './sip-message';

/** What the user agent reports about a subscription (and about an unsolicited NOTIFY, id ''). */
export interface SubscriptionUpdate {
  id: string;
  /** The resource subscribed to (the SUBSCRIBE's Request-URI). */
  resource: string;
  event: string;
  state: SubscriptionStateValue | 'failed';
  /** Why it failed or ended ("404 Not Found", "rejected"). */
  reason?: string;
  /** A NOTIFY's body. */
  body?: { contentType: string; text: string };
  /** An unsolicited NOTIFY (RFC 3842 §4: some PBXs send message-summary without a subscription). */
  unsolicited?: boolean;
}

export interface SubscriptionOptions {
  id: string;
  ctx: CallContext;
  /** The resolved resource URI. */
  target: string;
  /** The outbound proxy route, if any. */
  routeSet: readonly string[];
  event: EventHeader;
  accept: string;
  expires: number;
  /** After a failure, try again this much later (s). */
  retrySeconds?: number;
  /** Dialog table: NOTIFYs find us by Call-ID and our tag. */
  bind(key: string, sub: Subscription): void;
  unbind(key: string): void;
  emit(update: SubscriptionUpdate): void;
}

export function subscriptionKey(callId: string, localTag: string): string {
  return `${callId}\u0000${localTag}`;
}

const MAX_BODY = 64 * 1024;

export class Subscription {
  private dialog: Dialog | null = null;
  private established = false;
  private contact: SipNameAddr | undefined;
  private timer: TimerId | undefined;
  private ended = false;
  private key = '';
  private readonly auth: DigestClient | undefined;

  constructor(private readonly o: SubscriptionOptions) {
    const ctx = o.ctx;
    const policy = ctx.authPolicy ?? { realms: accountRealms(hopOf(ctx.fromUri ?? o.target)?.host ?? '', []), refuseMd5WithoutQop: false };
    this.auth = ctx.credentials ? new DigestClient(ctx.credentials, policy) : undefined;
  }

  get id(): string {
    return this.o.id;
  }

  /** Sends a fresh initial SUBSCRIBE (new Call-ID and tag). */
  async start(): Promise<void> {
    if (this.ended) return;
    this.clearTimer();
    if (this.key) this.o.unbind(this.key);
    const { ctx, target, routeSet } = this.o;
    const firstHop = hopOf(routeSet[0] ?? target);
    if (!firstHop) return this.fail(`cannot route to ${target}`);
    let local;
    let destination;
    try {
      destination = (await ctx.transport.resolve(firstHop)).destination;
      local = await ctx.transport.localFor(destination.address);
    } catch (err) {
      return this.fail(`cannot reach ${target}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (this.ended) return;
    // §4.1.2.1: SUBSCRIBE creates a dialog, so it carries a Contact (behind a NAT, the registered one).
    this.contact = { uri: localUri(ctx.contactUser, ctx.contactFor?.(local, destination) ?? local), params: {} };
    const name = ctx.displayName;
    this.dialog = new Dialog({
      callId: newCallId(),
      localTag: newTag(),
      remoteTag: '',
      local: { ...(name ? { name } : {}), uri: ctx.fromUri ?? localUri(ctx.contactUser, local), params: {} },
      remote: { uri: target, params: {} },
      localSeq: 0,
      remoteSeq: undefined,
      remoteTarget: target,
      routeSet: [],
      outboundRoute: routeSet,
    });
    this.established = false;
    this.key = subscriptionKey(this.dialog.callId, this.dialog.localTag);
    this.o.bind(this.key, this);
    this.send(this.o.expires);
  }

  /** §4.1.2.3: Expires: 0 ends it; resolves when answered (the caller bounds the wait). */
  unsubscribe(): Promise<void> {
    if (this.ended) return Promise.resolve();
    this.ended = true;
    this.clearTimer();
    if (!this.dialog) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.send(0, () => {
        this.o.unbind(this.key);
        resolve();
      });
    });
  }

  /** Stops without a message (the socket is going away). */
  dispose(): void {
    this.ended = true;
    this.clearTimer();
    if (this.key) this.o.unbind(this.key);
  }

  private send(expires: number, done?: () => void): void {
    const dialog = this.dialog;
    if (!dialog) return;
    const { ctx, event, accept } = this.o;
    const eventText = event.id ? `${event.package};id=${event.id}` : event.package;
    void sendInDialogRequest(
      standaloneRequestDeps(ctx, dialog, this.auth),
      'SUBSCRIBE',
      { ...(this.contact ? { contact: this.contact } : {}), headers: { event: eventText, accept, expires: String(expires) } },
      (res, info, authFailure) => {
        if (res.status < 200) return;
        if (done) {
          done();
          return;
        }
        if (res.status < 300) this.accepted(res);
        else if (res.status === 423 && intOf(headerText(res, 'min-expires')) !== undefined) {
          // RFC 6665 §4.1.2.1 / RFC 3261 §21.4.17: ask again for at least Min-Expires.
          this.o.expires = Math.max(this.o.expires, intOf(headerText(res, 'min-expires')) ?? 0);
          void this.start();
        } else if (res.status === 481 && this.established) void this.start();
        else this.fail(authFailure ?? (info.synthetic ? `no answer (${statusText(res)})` : statusText(res)));
      },
    ).then((sent) => {
      if (!sent) {
        if (done) done();
        else this.fail(`cannot send SUBSCRIBE to ${this.o.target}`);
      }
    });
  }

  /** A 2xx: the dialog (unless a NOTIFY made it first) and the refresh timer from the granted Expires. */
  private accepted(res: SipResponse): void {
    if (this.ended || !this.dialog) return;
    if (!this.established) {
      const remoteTag = res.headers.to.params.tag;
      if (remoteTag) {
        const rr = (res.headers['record-route'] ?? []).map(routeUri).filter((u): u is string => u !== undefined);
        this.establish(remoteTag, contactsOf(res)[0]?.uri, rr.reverse());
      }
    }
    // §4.1.2.1: the 2xx's Expires is what was granted (it may be shorter, never longer).
    const granted = intOf(headerText(res, 'expires')) ?? this.o.expires;
    this.schedule(Math.min(granted, this.o.expires));
  }

  private establish(remoteTag: string, contact: string | undefined, routeSet: string[]): void {
    const d = this.dialog;
    if (!d) return;
    this.dialog = new Dialog({
      callId: d.callId,
      localTag: d.localTag,
      remoteTag,
      local: d.local,
      remote: d.remote,
      localSeq: d.localSeq,
      remoteSeq: d.remoteSeq,
      remoteTarget: contact ?? d.remoteTarget,
      routeSet,
      outboundRoute: d.outboundRoute,
    });
    this.established = true;
  }

  /**
   * A NOTIFY with our Call-ID and tag: the status to answer with. §4.1.3: the Event must match (489 when
   * it does not); a NOTIFY may arrive before the 2xx and then makes the dialog (§4.1.2.4).
   */
  handleNotify(req: SipRequest, event: EventHeader | null): number {
    const d = this.dialog;
    if (!d || !event || !sameEvent(event, this.o.event)) return 489;
    const fromTag = req.headers.from.params.tag ?? '';
    if (this.established && fromTag !== d.remoteTag) return 481;
    if (d.remoteSeq !== undefined && req.headers.cseq.seq <= d.remoteSeq) return 500; // RFC 3261 §12.2.2
    if (!this.established) {
      if (!fromTag) return 400;
      // As a UAS would (RFC 3261 §12.1.1): Record-Route in order, the NOTIFY's Contact as the target.
      const rr = (req.headers['record-route'] ?? []).map(routeUri).filter((u): u is string => u !== undefined);
      this.establish(fromTag, contactsOf(req)[0]?.uri, rr);
    }
    if (this.dialog) this.dialog.remoteSeq = req.headers.cseq.seq;
    const state = parseSubscriptionState(headerText(req, 'subscription-state'));
    if (!state) return 400; // §8.2.3: NOTIFY must carry Subscription-State
    const text = (req.content ?? '').slice(0, MAX_BODY);
    const contentType = (headerText(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    if (state.state === 'terminated') {
      this.terminated(state.reason, state.retryAfter);
    } else if (state.expires !== undefined) this.schedule(state.expires);
    if (!this.ended || state.state === 'terminated') {
      this.o.emit({
        id: this.o.id,
        resource: this.o.target,
        event: this.o.event.package,
        state: state.state,
        ...(state.reason ? { reason: state.reason } : {}),
        ...(text !== '' ? { body: { contentType, text } } : {}),
      });
    }
    return 200;
  }

  /** §4.1.3: deactivated/timeout: subscribe again now; probation/giveup: after retry-after; others: stop. */
  private terminated(reason: string | undefined, retryAfter: number | undefined): void {
    this.clearTimer();
    if (this.ended) return;
    this.o.unbind(this.key);
    this.dialog = null;
    if (reason === undefined || reason === 'deactivated' || reason === 'timeout') this.later(retryAfter ?? 0);
    else if (reason === 'probation' || reason === 'giveup') this.later(retryAfter ?? this.o.retrySeconds ?? 300);
    else this.ended = true;
  }

  private schedule(expires: number): void {
    this.clearTimer();
    if (this.ended) return;
    if (expires <= 0) return;
    this.timer = this.o.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.ended) this.send(this.o.expires);
    }, refreshDelayMs(expires));
  }

  private later(seconds: number): void {
    this.clearTimer();
    this.timer = this.o.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      void this.start();
    }, Math.max(seconds, 0) * 1000);
  }

  private fail(reason: string): void {
    if (this.ended) return;
    this.o.ctx.log.warn('subscription failed', { event: this.o.event.package, target: this.o.target, reason });
    this.o.emit({ id: this.o.id, resource: this.o.target, event: this.o.event.package, state: 'failed', reason });
    this.dialog = null;
    if (this.key) this.o.unbind(this.key);
    this.later(this.o.retrySeconds ?? 300);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.o.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
