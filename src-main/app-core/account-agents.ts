// Issue 11 (several accounts): one user agent per enabled account besides the default one, each on its
// own free SIP UDP port. Separate stacks rather than one shared socket: each user agent keeps its own
// account, so its digest credentials go only to that account's realm/registrar/proxy (auth-policy.ts)
// and its incoming-filter admits only INVITEs for that account's user through that account's
// registrar, exactly as with one account; a shared socket would have to route every request by
// Request-URI user and would let one account's rules decide for another's.
import type { CallAccount } from '../ipc/contract';
import type { ListedAccount } from '../settings/account-list';
import type { Call, RegistrationState, SipTraceEntry, UserAgent } from '../sip/user-agent-api';
import type { ReceivedMessage } from '../sip/pager';
import { toAccountSettings } from './account-mapping';
import { UserAgentHost, type UserAgentHostDeps } from './user-agent-host';

export interface AccountAgentsDeps {
  /** The same media, keep-alive and DND hooks as the default account's host. */
  hostDeps: UserAgentHostDeps;
  password: (account: ListedAccount) => string;
  incoming: (call: Call, account: CallAccount) => void;
  trace: (entry: SipTraceEntry) => void;
  message: (m: ReceivedMessage) => void;
  level: (l: { callId: string; input: number; output: number }) => void;
  quality: (q: { callId: string; r: number; mos: number }) => void;
  /** Any account's registration changed. */
  registration: () => void;
}

interface Running {
  host: UserAgentHost;
  tag: CallAccount;
  off: Array<() => void>;
}

/** The name a call card and the incoming banner show for an account. */
export function callAccountTag(account: ListedAccount): CallAccount {
  const { accountName, userId, domain } = account.stored;
  const name = accountName.trim() || (userId && domain ? `${userId}@${domain}` : account.id);
  return { id: account.id, name };
}

export class AccountAgents {
  private readonly running = new Map<string, Running>();

  constructor(private readonly deps: AccountAgentsDeps) {}

  /** Starts a user agent for each enabled account that is not the default (the default has the main host). */
  async start(accounts: readonly ListedAccount[]): Promise<void> {
    for (const account of accounts) {
      if (account.isDefault || !account.enabled) continue;
      const settings = toAccountSettings(account.stored, this.deps.password(account));
      // An account without a domain is direct IP; the default host already listens for that.
      if (!settings) continue;
      const host = new UserAgentHost(this.deps.hostDeps);
      const tag = callAccountTag(account);
      const off = [
        host.events.on('registration', () => this.deps.registration()),
        host.events.on('incoming', (call) => this.deps.incoming(call, tag)),
        host.events.on('trace', (entry) => this.deps.trace(entry)),
        host.events.on('message', (m) => this.deps.message(m)),
        host.events.on('level', (l) => this.deps.level(l)),
        host.events.on('quality', (q) => this.deps.quality(q)),
      ];
      this.running.set(account.id, { host, tag, off });
      // Port 0: the default account keeps the Transport tab's port; the others take any free one (their
      // Contact carries it, RFC 3261 §10.2.1).
      await host.start(settings, 0, false);
    }
    this.deps.registration();
  }

  /** Un-registers and closes every other account's user agent (bounded per agent by the host). */
  async stop(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(
      all.map(async (r) => {
        await r.host.stop();
        for (const off of r.off) off();
      }),
    );
  }

  registration(id: string): RegistrationState {
    return this.running.get(id)?.host.registration() ?? { state: 'unregistered' };
  }

  /** The running host of an account, with its tag; undefined when it does not run (disabled, restarting). */
  host(id: string): { host: UserAgentHost; agent: UserAgent; tag: CallAccount } | undefined {
    const r = this.running.get(id);
    const agent = r?.host.agent;
    return r && agent ? { host: r.host, agent, tag: r.tag } : undefined;
  }

  /** Volume changes reach the calls of every account. */
  setGain(input: number, output: number): void {
    for (const r of this.running.values()) r.host.setGain(input, output);
  }

  forgetCall(callId: string): void {
    for (const r of this.running.values()) r.host.forgetCall(callId);
  }
}
