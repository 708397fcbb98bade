// Our own presence as the core reports it (presence.own) and the user's choice (presence.set): the header's
// status selector reads and calls only this.
import type { Api, OwnPresenceStatus } from '../lib/api';

export type OwnPresenceChoice = NonNullable<OwnPresenceStatus['status']>;
export const OWN_PRESENCE_CHOICES: readonly OwnPresenceChoice[] = ['available', 'away', 'busy', 'offline'];

export class OwnPresenceState {
  current = $state.raw<OwnPresenceStatus>({ status: null, state: 'off' });
  error = $state('');

  constructor(private readonly api: Api | null) {}

  apply(s: OwnPresenceStatus | undefined): void {
    if (!s || typeof s !== 'object' || typeof s.state !== 'string') return;
    if (s.status !== null && !OWN_PRESENCE_CHOICES.includes(s.status)) return;
    this.current = s;
  }

  async choose(status: OwnPresenceChoice): Promise<void> {
    if (!this.api) return;
    this.error = '';
    const r = await this.api.request('presence.set', { status });
    if (r.ok) this.apply(r.value);
    else this.error = r.error.message;
  }
}
