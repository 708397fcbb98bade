// Issue 11 (several accounts): message-waiting per account. Each running account's user agent has its
// own VoicemailWatch (its own SUBSCRIBE to its own mailbox, RFC 3842; its own NOTIFYs), so a NOTIFY to
// one account changes that account's counts only. The window gets each account's report and the totals
// over them in the fields the older UI parts read (the main window's badge shows the total).
import type { AccountVoicemail, VoicemailStatus } from '../ipc/contract';
import type { SubscriptionUpdate } from '../sip/subscription';
import type { RegistrationState, UserAgent } from '../sip/user-agent-api';
import { initialVoicemail, VoicemailWatch, type MwiAccount } from './voicemail-watch';

/** The total's subscription state: the most useful one any account has (a report beats a question). */
const STATE_ORDER: readonly AccountVoicemail['subscription'][] = ['active', 'unsolicited', 'pending', 'failed', 'terminated', 'off'];

/** The totals over the accounts, with each account's own report; one account = that account's report. */
export function voicemailTotals(accounts: readonly AccountVoicemail[]): VoicemailStatus {
  const first = accounts[0];
  if (!first) return { ...initialVoicemail(), accounts: [] };
  const best = accounts.reduce((a, b) => (STATE_ORDER.indexOf(b.subscription) < STATE_ORDER.indexOf(a.subscription) ? b : a), first);
  const known = accounts.filter((a) => a.waiting !== null);
  const sum = (pick: (a: AccountVoicemail) => number) => accounts.reduce((n, a) => n + pick(a), 0);
  const times = accounts.map((a) => a.updatedAt).filter((t): t is number => t !== null);
  return {
    subscription: best.subscription,
    ...(best.reason !== undefined ? { reason: best.reason } : {}),
    // Waiting when any mailbox is; known once any account has had a report.
    waiting: known.length === 0 ? null : known.some((a) => a.waiting === true),
    newMessages: sum((a) => a.newMessages),
    oldMessages: sum((a) => a.oldMessages),
    urgentNew: sum((a) => a.urgentNew),
    urgentOld: sum((a) => a.urgentOld),
    updatedAt: times.length > 0 ? Math.max(...times) : null,
    accounts: accounts.map((a) => ({ ...a })),
  };
}

export interface VoicemailAccountsDeps {
  changed: (status: VoicemailStatus) => void;
  now: () => number;
  /** The account ids in the settings' order (the default first): the list follows it. */
  order?: () => readonly string[];
}

export class VoicemailAccounts {
  private readonly watches = new Map<string, { name: string; watch: VoicemailWatch }>();
  private status: VoicemailStatus = voicemailTotals([]);

  constructor(private readonly deps: VoicemailAccountsDeps) {}

  get current(): VoicemailStatus {
    return this.status;
  }

  /** An account's user agent started (its old subscription went with the old one); null: it stopped, the account leaves the list. */
  agent(id: string, name: string, agent: UserAgent | null): void {
    if (!agent) {
      if (this.watches.delete(id)) this.publish();
      return;
    }
    let entry = this.watches.get(id);
    if (!entry) {
      entry = { name, watch: new VoicemailWatch({ changed: () => this.publish(), now: this.deps.now }) };
      this.watches.set(id, entry);
    }
    entry.name = name;
    entry.watch.reset(agent);
  }

  /** The account's registration: subscribes once registered when the account asks for message-waiting. */
  registration(id: string, state: RegistrationState, account: MwiAccount | undefined): void {
    this.watches.get(id)?.watch.registration(state, account);
  }

  /** A subscription update from that account's user agent (its NOTIFYs only). */
  update(id: string, u: SubscriptionUpdate): void {
    this.watches.get(id)?.watch.update(u);
  }

  private publish(): void {
    const order = this.deps.order?.() ?? [];
    const rank = (id: string) => {
      const i = order.indexOf(id);
      return i < 0 ? order.length : i;
    };
    const list = [...this.watches.entries()]
      .sort(([a], [b]) => rank(a) - rank(b))
      .map(([accountId, { name, watch }]): AccountVoicemail => ({ ...watch.current, accountId, name }));
    this.status = voicemailTotals(list);
    this.deps.changed(this.status);
  }
}
