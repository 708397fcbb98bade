// Issue 11 (several accounts): our own presence on every account. The status the user picks is published
// (RFC 3903) by each registered account's user agent to its own server, so watchers on either PBX see
// it; the header's selector gets one summary: a refusal on any account wins (named by account), then
// "publishing", then "published", else "off".
import type { OwnPresenceStatus } from '../ipc/contract';
import type { OwnPresence } from '../sip/pidf-document';
import type { PublicationUpdate } from '../sip/publication';
import type { RegistrationState, UserAgent } from '../sip/user-agent-api';
import { OwnPresenceWatch } from './own-presence';

/** The key of the default host's publication. */
export const DEFAULT_PUBLISHER = '';

const STATE_ORDER: readonly OwnPresenceStatus['state'][] = ['failed', 'publishing', 'published', 'off'];

export class OwnPresenceAccounts {
  private readonly watches = new Map<string, { name: string; watch: OwnPresenceWatch }>();
  private choice: OwnPresence | null = null;
  private status: OwnPresenceStatus = { status: null, state: 'off' };

  constructor(private readonly changed: (status: OwnPresenceStatus) => void) {
    this.watches.set(DEFAULT_PUBLISHER, { name: '', watch: this.make() });
  }

  get current(): OwnPresenceStatus {
    return this.status;
  }

  /** The saved choice at start-up (nothing is sent before a registration). */
  load(choice: OwnPresence | undefined): void {
    this.choice = choice ?? null;
    for (const { watch } of this.watches.values()) watch.load(choice);
    this.summarise();
  }

  /** An account's user agent started (null: it stopped; another account's entry then leaves). */
  agent(key: string, name: string, agent: UserAgent | null): void {
    let entry = this.watches.get(key);
    if (!agent && key !== DEFAULT_PUBLISHER) {
      if (entry && this.watches.delete(key)) this.summarise();
      return;
    }
    if (!entry) {
      entry = { name, watch: this.make() };
      if (this.choice) entry.watch.load(this.choice);
      this.watches.set(key, entry);
    }
    entry.name = name;
    entry.watch.reset(agent);
  }

  registration(key: string, state: RegistrationState): void {
    this.watches.get(key)?.watch.registration(state);
  }

  update(key: string, u: PublicationUpdate): void {
    this.watches.get(key)?.watch.update(u);
  }

  /** The user picked a status: every registered account publishes it now, the others at their next registration. */
  choose(choice: OwnPresence): OwnPresenceStatus {
    this.choice = choice;
    for (const { watch } of this.watches.values()) watch.choose(choice);
    this.summarise();
    return this.status;
  }

  private make(): OwnPresenceWatch {
    return new OwnPresenceWatch(() => this.summarise());
  }

  private summarise(): void {
    const all = [...this.watches.values()].map(({ name, watch }) => ({ name, s: watch.current }));
    const rank = (s: OwnPresenceStatus) => STATE_ORDER.indexOf(s.state);
    const best = all.reduce((a, b) => (rank(b.s) < rank(a.s) ? b : a), all[0] ?? { name: '', s: this.status });
    const several = all.filter((x) => x.s.state !== 'off').length > 1;
    const reason = best.s.reason === undefined ? undefined : several && best.name ? `${best.name}: ${best.s.reason}` : best.s.reason;
    const next: OwnPresenceStatus = { status: this.choice, state: best.s.state, ...(reason !== undefined ? { reason } : {}) };
    if (JSON.stringify(next) === JSON.stringify(this.status)) return;
    this.status = next;
    this.changed(next);
  }
}
