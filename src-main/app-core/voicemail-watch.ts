// Message-waiting for the app (issue 11, RFC 3842): subscribes to the mailbox once the account is
// registered (when the Voicemail tab asks for it), turns NOTIFY bodies into counts, and also takes the
// unsolicited message-summary NOTIFYs the user agent let through (registrar / proxy only).
import type { VoicemailStatus } from '../ipc/contract';
import { parseMessageSummary } from '../sip/message-summary';
import type { SubscriptionUpdate } from '../sip/subscription';
import type { AccountSettings, RegistrationState, UserAgent } from '../sip/user-agent-api';

export function initialVoicemail(): VoicemailStatus {
  return { subscription: 'off', waiting: null, newMessages: 0, oldMessages: 0, urgentNew: 0, urgentOld: 0, updatedAt: null };
}

export interface VoicemailWatchDeps {
  changed: (status: VoicemailStatus) => void;
  now: () => number;
}

export type MwiAccount = AccountSettings & { mwiSubscribe?: boolean; mailboxUri?: string };

export class VoicemailWatch {
  private status = initialVoicemail();
  private subscriptionId: string | null = null;
  private agent: UserAgent | null = null;

  constructor(private readonly deps: VoicemailWatchDeps) {}

  get current(): VoicemailStatus {
    return this.status;
  }

  /** A new user agent (or none): the old one's subscription went with it. */
  reset(agent: UserAgent | null): void {
    this.agent = agent;
    this.subscriptionId = null;
    this.set({ ...initialVoicemail() });
  }

  /** Subscribes once per user agent, when registered and the account asks for it. */
  registration(state: RegistrationState, account: MwiAccount | undefined): void {
    const agent = this.agent;
    if (state.state !== 'registered' || !agent?.subscribe || !account?.mwiSubscribe || this.subscriptionId !== null) return;
    // RFC 3842 §3: the subscriber's own AOR is the usual mailbox.
    const target = account.mailboxUri || `sip:${account.userId}@${account.domain}`;
    const r = agent.subscribe({ target, event: 'message-summary' });
    if ('error' in r) {
      this.set({ ...this.status, subscription: 'failed', reason: r.error });
      return;
    }
    this.subscriptionId = r.id;
    this.set({ ...this.status, subscription: 'pending' });
  }

  update(u: SubscriptionUpdate): void {
    if (u.event !== 'message-summary') return;
    if (!u.unsolicited && u.id !== this.subscriptionId) return;
    let next: VoicemailStatus = { ...this.status };
    if (u.unsolicited) next.subscription = this.subscriptionId ? next.subscription : 'unsolicited';
    else {
      next.subscription = u.state;
      if (u.reason) next.reason = u.reason;
      else delete next.reason;
    }
    const summary = u.body ? parseMessageSummary(u.body.text) : null;
    if (summary) {
      const voice = summary.counts.voice;
      next = {
        ...next,
        waiting: summary.waiting,
        newMessages: voice?.new ?? 0,
        oldMessages: voice?.old ?? 0,
        urgentNew: voice?.urgentNew ?? 0,
        urgentOld: voice?.urgentOld ?? 0,
        updatedAt: this.deps.now(),
      };
    }
    this.set(next);
  }

  private set(next: VoicemailStatus): void {
    this.status = next;
    this.deps.changed(next);
  }
}
