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
  /** Issue 11: a MESSAGE this account's user agent took, with the account. */
  message: (m: ReceivedMessage, account: CallAccount) => void;
  level: (l: { callId: string; input: number; output: number }) => void;
  quality: (q: { callId: string; r: number; mos: number }) => void;
  /** Any account's registration changed. */
  registration: () => void;
  /** Issue 11: more listeners on each account's host (transfer calls and requests, DND refusals, message-waiting). */
  wire?: (host: UserAgentHost, account: CallAccount) => Array<() => void>;
}

interface Running {
  host: UserAgentHost;
  tag: CallAccount;
  off: Array<() => void>;
  /** What it was started with (password included, in memory only): a change means a restart. */
  key: string;
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
    await this.sync(accounts, () => false);
  }

  /**
   * Brings the running user agents in line with the accounts: unchanged ones keep running (their
   * registrations and calls untouched), changed, disabled or removed ones stop, new ones start. One
   * that should stop but has calls (`busy`) is left as it is; returns false when any was left.
   */
  async sync(accounts: readonly ListedAccount[], busy: (id: string) => boolean): Promise<boolean> {
    const wanted = new Map<string, { account: ListedAccount; key: string }>();
    for (const account of accounts) {
      if (account.isDefault || !account.enabled) continue;
      const settings = toAccountSettings(account.stored, this.deps.password(account));
      // An account without a domain is direct IP; the default host already listens for that.
      if (settings) wanted.set(account.id, { account, key: JSON.stringify([settings, callAccountTag(account)]) });
    }
    let complete = true;
    const stopping: Running[] = [];
    for (const [id, r] of this.running) {
      if (wanted.get(id)?.key === r.key) continue;
      if (busy(id)) {
        complete = false;
        continue;
      }
      this.running.delete(id);
      stopping.push(r);
    }
    await Promise.all(stopping.map((r) => this.stopOne(r)));
    for (const [id, { account, key }] of wanted) {
      if (this.running.has(id)) continue;
      const settings = toAccountSettings(account.stored, this.deps.password(account));
      if (!settings) continue;
      const host = new UserAgentHost(this.deps.hostDeps);
      const tag = callAccountTag(account);
      const off = [
        host.events.on('registration', () => this.deps.registration()),
        host.events.on('incoming', (call) => this.deps.incoming(call, tag)),
        host.events.on('trace', (entry) => this.deps.trace(entry)),
        host.events.on('message', (m) => this.deps.message(m, tag)),
        host.events.on('level', (l) => this.deps.level(l)),
        host.events.on('quality', (q) => this.deps.quality(q)),
        ...(this.deps.wire?.(host, tag) ?? []),
      ];
      this.running.set(id, { host, tag, off, key });
      // Port 0: the default account keeps the Transport tab's port; the others take any free one (their
      // Contact carries it, RFC 3261 §10.2.1).
      await host.start(settings, 0, false);
    }
    this.deps.registration();
    return complete;
  }

  private async stopOne(r: Running): Promise<void> {
    await r.host.stop();
    for (const off of r.off) off();
  }

  /** Un-registers and closes every other account's user agent (bounded per agent by the host). */
  async stop(): Promise<void> {
    const all = [...this.running.values()];
    this.running.clear();
    await Promise.all(all.map((r) => this.stopOne(r)));
    this.deps.registration();
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

  /** Issue 11: the user's answer to a transfer request, for whichever account's user agent asked. */
  answerTransfer(requestId: string, accept: boolean): boolean {
    for (const r of this.running.values()) if (r.host.agent?.answerTransfer?.(requestId, accept)) return true;
    return false;
  }

  /** Volume changes reach the calls of every account. */
  setGain(input: number, output: number): void {
    for (const r of this.running.values()) r.host.setGain(input, output);
  }

  forgetCall(callId: string): void {
    for (const r of this.running.values()) r.host.forgetCall(callId);
  }
}
