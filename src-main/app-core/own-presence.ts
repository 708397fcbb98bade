// Our own presence for the window (issue 11, part 6): the status the user chose (Available / Away /
// Busy / Appear offline, kept in the preferences) is published (RFC 3903) each time the account is
// registered and whenever it changes; the publication's fate is reported for the header's selector.
import type { OwnPresenceStatus } from '../ipc/contract';
import type { OwnPresence } from '../sip/pidf-document';
import type { PublicationUpdate } from '../sip/publication';
import type { RegistrationState, UserAgent } from '../sip/user-agent-api';

export class OwnPresenceWatch {
  private agent: UserAgent | null = null;
  private registered = false;
  private status: OwnPresenceStatus = { status: null, state: 'off' };

  constructor(private readonly changed: (status: OwnPresenceStatus) => void) {}

  get current(): OwnPresenceStatus {
    return this.status;
  }

  /** The saved choice at start-up (nothing is sent before registration). */
  load(choice: OwnPresence | undefined): void {
    this.status = { status: choice ?? null, state: 'off' };
  }

  /** A new user agent (or none): its publication went with the old one. */
  reset(agent: UserAgent | null): void {
    this.agent = agent;
    this.registered = false;
    this.set({ status: this.status.status, state: 'off' });
  }

  registration(state: RegistrationState): void {
    const now = state.state === 'registered';
    if (now === this.registered) return;
    this.registered = now;
    if (now) this.publish();
    // The user agent removes the publication with the registration (Expires: 0).
    else if (this.status.state !== 'off') this.set({ status: this.status.status, state: 'off' });
  }

  /** The user picked a status: published now when registered, else at the next registration. */
  choose(choice: OwnPresence): OwnPresenceStatus {
    this.status = { status: choice, state: this.status.state };
    if (this.registered) this.publish();
    else this.set({ status: choice, state: 'off' });
    return this.status;
  }

  update(u: PublicationUpdate): void {
    if (u.state === 'removed') this.set({ status: this.status.status, state: 'off' });
    else this.set({ status: this.status.status, state: u.state, ...(u.reason ? { reason: u.reason } : {}) });
  }

  private publish(): void {
    const choice = this.status.status;
    if (!choice) return;
    const r = this.agent?.publishPresence?.(choice) ?? { error: 'SIP is not running' };
    this.set('error' in r ? { status: choice, state: 'failed', reason: r.error } : { status: choice, state: 'publishing' });
  }

  private set(next: OwnPresenceStatus): void {
    this.status = next;
    this.changed(next);
  }
}
