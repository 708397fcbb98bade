// Issue 11's SIP event subscriptions as the app core uses them: message-waiting (voicemail-watch.ts) and
// presence / BLF of watched contacts (presence-watch.ts), fed from the user agent host's events.
import type { Contact } from '../contacts/contact-schema';
import type { EventMap } from '../ipc/contract';
import type { StoredAccount } from '../settings/settings-schema';
import type { SubscriptionUpdate } from '../sip/subscription';
import type { RegistrationState, UserAgent } from '../sip/user-agent-api';
import { toAccountSettings } from './account-mapping';
import { PresenceWatch } from './presence-watch';
import { VoicemailWatch } from './voicemail-watch';

export class EventWatches {
  private readonly voicemail: VoicemailWatch;
  private readonly presence: PresenceWatch;

  constructor(emit: <E extends 'voicemail.changed' | 'presence.changed'>(event: E, payload: EventMap[E]) => void, now: () => number) {
    this.voicemail = new VoicemailWatch({ changed: (status) => emit('voicemail.changed', status), now });
    this.presence = new PresenceWatch((status) => emit('presence.changed', status));
  }

  /** A new user agent (or none, when SIP stopped), with the contacts to watch. */
  agent(agent: UserAgent | null, contacts: readonly Contact[]): void {
    this.voicemail.reset(agent);
    this.presence.reset(agent);
    if (agent) this.presence.contacts(contacts);
  }

  registration(state: RegistrationState, account: StoredAccount | null | undefined): void {
    this.voicemail.registration(state, account ? toAccountSettings(account, '') : undefined);
    this.presence.registration(state);
  }

  subscription(u: SubscriptionUpdate): void {
    this.voicemail.update(u);
    this.presence.update(u);
  }

  contacts(list: readonly Contact[]): void {
    this.presence.contacts(list);
  }

  snapshot(): { voicemail: EventMap['voicemail.changed']; presence: EventMap['presence.changed'] } {
    return { voicemail: this.voicemail.current, presence: this.presence.current };
  }
}
