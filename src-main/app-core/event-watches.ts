// Issue 11's SIP event subscriptions as the app core uses them: message-waiting per account
// (voicemail-accounts.ts) and presence / BLF of watched contacts (presence-watch.ts, on the default
// account's user agent), fed from the user agent hosts' events.
import type { Contact } from '../contacts/contact-schema';
import type { CallAccount, EventMap } from '../ipc/contract';
import type { StoredAccount } from '../settings/settings-schema';
import type { SubscriptionUpdate } from '../sip/subscription';
import type { RegistrationState, UserAgent } from '../sip/user-agent-api';
import { toAccountSettings } from './account-mapping';
import { PresenceWatch } from './presence-watch';
import { VoicemailAccounts } from './voicemail-accounts';

export class EventWatches {
  /** Every running account's message-waiting (the default account's and the others'). */
  readonly voicemail: VoicemailAccounts;
  private readonly presence: PresenceWatch;
  /** The account the default user agent runs for (its voicemail entry); null: none (direct IP, stopped). */
  private mainId: string | null = null;

  constructor(
    emit: <E extends 'voicemail.changed' | 'presence.changed'>(event: E, payload: EventMap[E]) => void,
    now: () => number,
    order?: () => readonly string[],
  ) {
    this.voicemail = new VoicemailAccounts({ changed: (status) => emit('voicemail.changed', status), now, ...(order ? { order } : {}) });
    this.presence = new PresenceWatch((status) => emit('presence.changed', status));
  }

  /** A new default user agent (or none, when SIP stopped), the account it runs for, and the contacts to watch. */
  agent(agent: UserAgent | null, contacts: readonly Contact[], account?: CallAccount): void {
    const id = agent && account ? account.id : null;
    if (this.mainId !== null && this.mainId !== id) this.voicemail.agent(this.mainId, '', null);
    this.mainId = id;
    if (agent && account) this.voicemail.agent(account.id, account.name, agent);
    this.presence.reset(agent);
    if (agent) this.presence.contacts(contacts);
  }

  registration(state: RegistrationState, account: StoredAccount | null | undefined): void {
    if (this.mainId !== null) this.voicemail.registration(this.mainId, state, mwiAccount(account));
    this.presence.registration(state);
  }

  subscription(u: SubscriptionUpdate): void {
    if (this.mainId !== null) this.voicemail.update(this.mainId, u);
    this.presence.update(u);
  }

  contacts(list: readonly Contact[]): void {
    this.presence.contacts(list);
  }

  snapshot(): { voicemail: EventMap['voicemail.changed']; presence: EventMap['presence.changed'] } {
    return { voicemail: this.voicemail.current, presence: this.presence.current };
  }
}

/** What message-waiting needs of a stored account (no password: SUBSCRIBE's digest uses the user agent's own). */
export function mwiAccount(account: StoredAccount | null | undefined): ReturnType<typeof toAccountSettings> {
  return account ? toAccountSettings(account, '') : undefined;
}
