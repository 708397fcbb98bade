// Issue 11's SIP event subscriptions as the app core uses them: message-waiting per account
// (voicemail-accounts.ts) and presence / BLF of watched contacts, each through its account
// (presence-accounts.ts), fed from the user agent hosts' events.
import type { Contact } from '../contacts/contact-schema';
import type { CallAccount, EventMap } from '../ipc/contract';
import type { StoredAccount } from '../settings/settings-schema';
import type { SubscriptionUpdate } from '../sip/subscription';
import type { RegistrationState, UserAgent } from '../sip/user-agent-api';
import { toAccountSettings } from './account-mapping';
import { DEFAULT_HOST, PresenceAccounts } from './presence-accounts';
import { VoicemailAccounts } from './voicemail-accounts';

export class EventWatches {
  /** Every running account's message-waiting (the default account's and the others'). */
  readonly voicemail: VoicemailAccounts;
  private readonly presence: PresenceAccounts;
  /** The account the default user agent runs for (its voicemail entry); null: none (direct IP, stopped). */
  private mainId: string | null = null;

  constructor(
    emit: <E extends 'voicemail.changed' | 'presence.changed'>(event: E, payload: EventMap[E]) => void,
    now: () => number,
    order?: () => readonly string[],
  ) {
    this.voicemail = new VoicemailAccounts({ changed: (status) => emit('voicemail.changed', status), now, ...(order ? { order } : {}) });
    this.presence = new PresenceAccounts((status) => emit('presence.changed', status));
  }

  /** A new default user agent (or none, when SIP stopped), the account it runs for (its domain), and the contacts to watch. */
  agent(agent: UserAgent | null, contacts: readonly Contact[], account?: CallAccount, domain = ''): void {
    const id = agent && account ? account.id : null;
    if (this.mainId !== null && this.mainId !== id) this.voicemail.agent(this.mainId, '', null);
    this.mainId = id;
    if (agent && account) this.voicemail.agent(account.id, account.name, agent);
    if (agent) this.presence.contacts(contacts);
    this.presence.agent(DEFAULT_HOST, agent, account ? domain : '', id);
  }

  registration(state: RegistrationState, account: StoredAccount | null | undefined): void {
    if (this.mainId !== null) this.voicemail.registration(this.mainId, state, mwiAccount(account));
    this.presence.registration(DEFAULT_HOST, state);
  }

  subscription(u: SubscriptionUpdate): void {
    if (this.mainId !== null) this.voicemail.update(this.mainId, u);
    this.presence.update(DEFAULT_HOST, u);
  }

  /** Another account's user agent started (null: stopped): its message-waiting and the contacts watched through it. */
  otherAgent(account: CallAccount, agent: UserAgent | null, domain: string): void {
    this.voicemail.agent(account.id, account.name, agent);
    this.presence.agent(account.id, agent, domain, account.id);
  }

  otherRegistration(id: string, state: RegistrationState, account: StoredAccount | null | undefined): void {
    this.voicemail.registration(id, state, mwiAccount(account));
    this.presence.registration(id, state);
  }

  otherSubscription(id: string, u: SubscriptionUpdate): void {
    this.voicemail.update(id, u);
    this.presence.update(id, u);
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
