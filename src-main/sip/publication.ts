// Our presence publication (RFC 3903, event state publication; RFC 3856 presence): the initial PUBLISH
// with a PIDF body, the SIP-ETag kept and refreshed with SIP-If-Match before it expires (§4.1), a new
// status sent as a modify (SIP-If-Match with a body), the removal (Expires: 0, §4.5), a fresh initial
// PUBLISH after 412 (§6), and 423 answered with Min-Expires. Out of dialog, through the outbound proxy,
// challenges answered within the auth policy. Pure: I/O comes in via the call context.
import { accountRealms } from './auth-policy';
import type { CallContext } from './call-context';
import { Dialog, hopOf } from './dialog';
import { DigestClient } from './digest-client';
import { refreshDelayMs } from './event-headers';
import { sendInDialogRequest, standaloneRequestDeps } from './in-dialog-request';
import { pidfDocument, type OwnPresence } from './pidf-document';
import type { TimerId } from './sip-clock';
import { headerText, intOf, statusText } from './sip-headers';
import type { SipResponse } from './sip-message';
import { newCallId, newTag } from './sip-random';

export interface PublicationUpdate {
  /** published: the server holds our state; removed: it no longer does; failed: it refused (reason). */
  state: 'published' | 'removed' | 'failed';
  presence: OwnPresence;
  reason?: string;
  /** The granted lifetime (s) of a published state. */
  expires?: number;
}

export interface PublicationOptions {
  ctx: CallContext;
  /** Our address of record: the Request-URI, To, and the PIDF entity (RFC 3903 §4.1, RFC 3856 §6.2). */
  aor: string;
  /** The outbound proxy route, if any. */
  routeSet: readonly string[];
  /** Requested Expires (s). */
  expires: number;
  /** After a refusal, publish again this much later (s); 0 = never. */
  retrySeconds?: number;
  emit(update: PublicationUpdate): void;
}

type Kind = 'initial' | 'refresh' | 'modify' | 'remove';

/** At most this many 412/423 retries in a row (a server that always refuses must not make us loop). */
const MAX_RESTARTS = 3;

export class Publication {
  private etag: string | null = null;
  private presence: OwnPresence | null = null;
  private expires: number;
  private timer: TimerId | undefined;
  private queue: Promise<void> = Promise.resolve();
  private restarts = 0;
  private disposed = false;
  private readonly auth: DigestClient | undefined;
  private dialog: Dialog | null = null;

  constructor(private readonly o: PublicationOptions) {
    this.expires = o.expires;
    const ctx = o.ctx;
    const policy = ctx.authPolicy ?? { realms: accountRealms(hopOf(o.aor)?.host ?? '', []), refuseMd5WithoutQop: false };
    this.auth = ctx.credentials ? new DigestClient(ctx.credentials, policy) : undefined;
  }

  /** The status now published or being published; null before the first or after removal. */
  get current(): OwnPresence | null {
    return this.presence;
  }

  /** Publishes `presence`: the initial PUBLISH, or a modify of the state the server holds (§4.4). */
  publish(presence: OwnPresence): Promise<void> {
    this.presence = presence;
    this.restarts = 0;
    return this.enqueue(() => (this.etag ? 'modify' : 'initial'));
  }

  /** §4.5: Expires: 0 with SIP-If-Match; resolves when answered (the caller bounds the wait). */
  remove(): Promise<void> {
    // From now on nothing is (re)published: a refresh or retry still queued finds no state to send.
    this.presence = null;
    this.clearTimer();
    return this.enqueue(() => (this.etag ? 'remove' : null)).then(() => this.clearTimer());
  }

  /** Stops timers without a message (the socket is going away). */
  dispose(): void {
    this.disposed = true;
    this.clearTimer();
  }

  private enqueue(kind: () => Kind | null): Promise<void> {
    this.queue = this.queue.then(() => {
      const k = kind();
      return k && !this.disposed ? this.send(k) : undefined;
    });
    return this.queue;
  }

  /** One PUBLISH and its final answer; the follow-ups it calls for are queued behind it. */
  private send(kind: Kind): Promise<void> {
    const presence = this.presence;
    if (!presence && kind !== 'remove') return Promise.resolve();
    const { ctx, aor, routeSet } = this.o;
    const name = ctx.displayName;
    // One Call-ID (and From tag) for the publication's life, CSeq rising: servers (and SIPp) keep the
    // PUBLISHes of one publication together by it, as RFC 3903 §4.1's examples do.
    const dialog = (this.dialog ??= new Dialog({
      callId: newCallId(),
      localTag: newTag(),
      remoteTag: '',
      local: { ...(name ? { name } : {}), uri: ctx.fromUri ?? aor, params: {} },
      remote: { uri: aor, params: {} },
      localSeq: 0,
      remoteSeq: undefined,
      remoteTarget: aor,
      routeSet: [],
      outboundRoute: routeSet,
    }));
    const headers: Record<string, string> = { event: 'presence', expires: String(kind === 'remove' ? 0 : this.expires) };
    // §4.1: a refresh, modify or remove names the state it acts on by its entity-tag.
    if (kind !== 'initial' && this.etag) headers['sip-if-match'] = this.etag;
    // §4.1: an initial or modifying PUBLISH carries the state; a refresh or removal has no body.
    const body = (kind === 'initial' || kind === 'modify') && presence ? { content: pidfDocument(aor, presence), contentType: 'application/pidf+xml' } : {};
    return new Promise<void>((resolve) => {
      void sendInDialogRequest(
        standaloneRequestDeps(ctx, dialog, this.auth),
        'PUBLISH',
        { headers, ...body },
        (res, info, authFailure) => {
          if (res.status < 200) return;
          this.answered(kind, res, authFailure ?? (info.synthetic ? `no answer (${statusText(res)})` : statusText(res)));
          resolve();
        },
      ).then((sent) => {
        if (!sent) {
          this.failed(kind, `cannot send PUBLISH to ${aor}`);
          resolve();
        }
      });
    });
  }

  private answered(kind: Kind, res: SipResponse, reason: string): void {
    const presence = this.presence ?? 'offline';
    if (res.status >= 200 && res.status < 300) {
      this.restarts = 0;
      if (kind === 'remove') {
        this.etag = null;
        this.o.emit({ state: 'removed', presence });
        return;
      }
      // §11.3.1: the 2xx carries the entity-tag of the state and the lifetime granted.
      this.etag = headerText(res, 'sip-etag')?.trim() || this.etag;
      const granted = Math.min(intOf(headerText(res, 'expires')) ?? this.expires, this.expires);
      this.schedule(granted);
      if (kind !== 'refresh') this.o.emit({ state: 'published', presence, expires: granted });
      return;
    }
    if (res.status === 412 && kind !== 'remove' && this.restarts < MAX_RESTARTS) {
      // §6: the server lost (or never had) our entity-tag: publish the state afresh.
      this.restarts++;
      this.etag = null;
      void this.enqueue(() => 'initial');
      return;
    }
    const minExpires = intOf(headerText(res, 'min-expires'));
    if (res.status === 423 && minExpires !== undefined && kind !== 'remove' && this.restarts < MAX_RESTARTS) {
      // RFC 3903 §6, RFC 3261 §21.4.17: ask again for at least Min-Expires.
      this.restarts++;
      this.expires = Math.max(this.expires, minExpires);
      void this.enqueue(() => (kind === 'refresh' && this.etag ? 'refresh' : this.etag ? 'modify' : 'initial'));
      return;
    }
    this.failed(kind, reason);
  }

  private failed(kind: Kind, reason: string): void {
    this.o.ctx.log.warn('PUBLISH failed', { aor: this.o.aor, kind, reason });
    if (kind === 'remove') {
      this.etag = null;
      return;
    }
    this.etag = null;
    this.o.emit({ state: 'failed', presence: this.presence ?? 'offline', reason });
    const retry = this.o.retrySeconds ?? 300;
    if (retry > 0) this.later(retry, () => this.enqueue(() => 'initial'));
  }

  private schedule(expires: number): void {
    if (expires <= 0) return;
    this.later(refreshDelayMs(expires) / 1000, () => this.enqueue(() => (this.etag ? 'refresh' : 'initial')));
  }

  private later(seconds: number, fn: () => void): void {
    this.clearTimer();
    if (this.disposed) return;
    this.timer = this.o.ctx.clock.setTimeout(() => {
      this.timer = undefined;
      fn();
    }, seconds * 1000);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.o.ctx.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
