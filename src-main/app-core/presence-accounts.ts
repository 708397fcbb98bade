// Issue 11 (several accounts): presence and BLF through the right account. Each watched contact is
// subscribed (RFC 3856 / RFC 4235) by one account's user agent: the one the contact names, else the
// running account whose domain is the contact's SIP host (a colleague on the office PBX is watched
// through the office account, whose registrar knows them and whose credentials it asks for), else the
// default account. Each account has its own PresenceWatch; the window gets one status per contact.
import type { Contact } from '../contacts/contact-schema';
import type { ContactPresence } from '../ipc/contract';
import type { SubscriptionUpdate } from '../sip/subscription';
import type { RegistrationState, UserAgent } from '../sip/user-agent-api';
import { PresenceWatch, watchTarget } from './presence-watch';

/** The key of the default host's watch (it runs with the default account, or direct IP without one). */
export const DEFAULT_HOST = '';

interface Entry {
  watch: PresenceWatch;
  /** The account's SIP domain, lower case ('' for direct IP). */
  domain: string;
  /** The account id it runs for (the default host: the default account's id, or null). */
  accountId: string | null;
}

/** The host (and port, when given) of a sip:/sips: URI, lower case; '' when there is none (a bare number). */
export function sipHostPort(uri: string): { host: string; hostPort: string } {
  const m = /^sips?:(?:[^@;?]*@)?(\[[^\]]+\]|[^:;?>]+)(:\d+)?/i.exec(uri.trim());
  const host = m?.[1]?.toLowerCase() ?? '';
  return { host, hostPort: host + (m?.[2] ?? '') };
}

/** An account's domain (host or host:port) serves the URI: the same host:port, or the same host when the domain names no port. */
function servesUri(domain: string, uri: { host: string; hostPort: string }): boolean {
  return domain !== '' && (domain === uri.hostPort || domain === uri.host);
}

export class PresenceAccounts {
  private readonly entries = new Map<string, Entry>();
  private wanted: Contact[] = [];
  /** Contacts whose chosen account does not run: no subscription, and the window says why. */
  private stranded: Record<string, ContactPresence> = {};
  private status: Record<string, ContactPresence> = {};
  private spreading = false;

  constructor(private readonly changed: (status: Record<string, ContactPresence>) => void) {}

  get current(): Record<string, ContactPresence> {
    return this.status;
  }

  /**
   * An account's user agent started (null: it stopped). `key` is DEFAULT_HOST for the default host
   * (accountId: the default account, if any) and the account id for the others.
   */
  agent(key: string, agent: UserAgent | null, domain: string, accountId: string | null): void {
    let entry = this.entries.get(key);
    if (!agent) {
      if (!entry) return;
      entry.watch.reset(null);
      this.entries.delete(key);
      this.spread();
      return;
    }
    if (!entry) {
      entry = { watch: new PresenceWatch(() => this.publish()), domain: '', accountId: null };
      this.entries.set(key, entry);
    }
    entry.domain = domain.trim().toLowerCase();
    entry.accountId = accountId;
    entry.watch.reset(agent);
    this.spread();
  }

  registration(key: string, state: RegistrationState): void {
    this.entries.get(key)?.watch.registration(state);
  }

  /** A subscription update from that account's user agent (only its own subscriptions match). */
  update(key: string, u: SubscriptionUpdate): void {
    this.entries.get(key)?.watch.update(u);
  }

  contacts(list: readonly Contact[]): void {
    this.wanted = list.filter((c) => c.watch && watchTarget(c) !== '');
    this.spread();
  }

  /** The key of the watch a contact belongs to; null: its chosen account does not run. */
  route(c: Contact): string | null {
    if (c.watchAccount !== undefined) {
      for (const [key, e] of this.entries) if (e.accountId === c.watchAccount) return key;
      return null;
    }
    const uri = sipHostPort(c.sipUri);
    if (uri.host !== '') {
      const def = this.entries.get(DEFAULT_HOST);
      // The default account wins a tie: it is the one the user set up first and dials with.
      if (def && servesUri(def.domain, uri)) return DEFAULT_HOST;
      for (const [key, e] of this.entries) if (servesUri(e.domain, uri)) return key;
    }
    return this.entries.has(DEFAULT_HOST) ? DEFAULT_HOST : null;
  }

  private spread(): void {
    const byKey = new Map<string, Contact[]>([...this.entries.keys()].map((k) => [k, []]));
    const stranded: Record<string, ContactPresence> = {};
    for (const c of this.wanted) {
      const key = this.route(c);
      if (key !== null) byKey.get(key)?.push(c);
      else if (c.watchAccount !== undefined) stranded[c.id] = { availability: 'unknown', line: 'unknown', problem: 'its account is not running' };
    }
    this.stranded = stranded;
    // One 'presence.changed' for the whole move, not one per account's watch.
    this.spreading = true;
    try {
      for (const [key, list] of byKey) this.entries.get(key)?.watch.contacts(list);
    } finally {
      this.spreading = false;
    }
    this.publish();
  }

  private publish(): void {
    if (this.spreading) return;
    const merged: Record<string, ContactPresence> = { ...this.stranded };
    for (const e of this.entries.values()) Object.assign(merged, e.watch.current);
    this.status = merged;
    this.changed(merged);
  }
}
