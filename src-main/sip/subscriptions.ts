// The user agent's subscriptions (RFC 6665): created on request, found by a NOTIFY's Call-ID and To tag,
// ended together at shutdown; and the rule for NOTIFYs that match none (only message-summary, only from
// the account's servers, RFC 3842 §4 unsolicited MWI).
import { parseEventHeader } from './event-headers';
import { headerText } from './sip-headers';
import { Subscription, subscriptionKey, type SubscriptionOptions, type SubscriptionUpdate } from './subscription';
import type { SipRequest } from './sip-message';

export type SubscribeOptions = Omit<SubscriptionOptions, 'id' | 'bind' | 'unbind' | 'emit'>;

/** The body type each package's NOTIFYs carry (RFC 3842 §4, RFC 3856 §6.4, RFC 4235 §3.6). */
export const ACCEPT_BY_EVENT = {
  'message-summary': 'application/simple-message-summary',
  presence: 'application/pidf+xml',
  dialog: 'application/dialog-info+xml',
} as const;

/** At most this many subscriptions at once (a contact list with BLF on everyone stays far below). */
export const MAX_SUBSCRIPTIONS = 200;

export class SubscriptionTable {
  private readonly byKey = new Map<string, Subscription>();
  private readonly byId = new Map<string, Subscription>();
  private next = 1;

  constructor(private readonly emit: (update: SubscriptionUpdate) => void) {}

  get size(): number {
    return this.byId.size;
  }

  /** Starts a subscription; null past MAX_SUBSCRIPTIONS. */
  create(options: SubscribeOptions): Subscription | null {
    if (this.byId.size >= MAX_SUBSCRIPTIONS) return null;
    const id = `sub-${this.next++}`;
    const sub = new Subscription({
      ...options,
      id,
      bind: (key, s) => this.byKey.set(key, s),
      unbind: (key) => {
        if (this.byKey.get(key) === sub) this.byKey.delete(key);
      },
      emit: (u) => this.emit(u),
    });
    this.byId.set(id, sub);
    void sub.start();
    return sub;
  }

  /** Un-SUBSCRIBEs one (Expires: 0). */
  async remove(id: string): Promise<void> {
    const sub = this.byId.get(id);
    if (!sub) return;
    this.byId.delete(id);
    await sub.unsubscribe();
  }

  /** The status for a NOTIFY with a To tag, or null when it belongs to no subscription of ours. */
  notify(req: SipRequest): number | null {
    const toTag = req.headers.to.params.tag;
    if (!toTag) return null;
    const sub = this.byKey.get(subscriptionKey(req.headers['call-id'], toTag));
    if (!sub) return null;
    return sub.handleNotify(req, parseEventHeader(headerText(req, 'event')));
  }

  /** Un-SUBSCRIBEs everything (the caller bounds the wait). */
  async closeAll(): Promise<void> {
    const all = [...this.byId.values()];
    this.byId.clear();
    await Promise.all(all.map((s) => s.unsubscribe()));
    for (const s of all) s.dispose();
  }
}

/**
 * A NOTIFY outside any subscription of ours, already admitted as coming from the account's registrar or
 * proxy and for our user: a message-summary is accepted as unsolicited MWI (RFC 3842 §4, as Asterisk and
 * others send it); anything else is 481 (RFC 6665 §4.1.3, no such subscription).
 */
export function judgeUnsolicitedNotify(req: SipRequest): { status: 200; update: SubscriptionUpdate } | { status: 481 | 489 } {
  const event = parseEventHeader(headerText(req, 'event'));
  if (!event) return { status: 489 };
  if (event.package !== 'message-summary') return { status: 481 };
  const contentType = (headerText(req, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = (req.content ?? '').slice(0, 8192);
  return {
    status: 200,
    update: { id: '', resource: req.headers.from.uri, event: 'message-summary', state: 'active', unsolicited: true, ...(text ? { body: { contentType, text } } : {}) },
  };
}
