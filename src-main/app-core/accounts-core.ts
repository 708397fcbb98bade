// Issue 11 (several accounts) as the app core uses it: the other accounts' user agents, each account's
// registration for the list, the tag of the default account's calls, the account a dial goes out on,
// and the accounts.* handlers. Kept out of app-core.ts so that file stays about the one core.
import type { AccountsView, CallAccount } from '../ipc/contract';
import { AccountListError, listAccounts, pickDialAccount, type ListedAccount } from '../settings/account-list';
import type { SecretSlot, SecretStorage } from '../settings/secret-box';
import type { SettingsFile } from '../settings/settings-schema';
import type { RegistrationState, UserAgent } from '../sip/user-agent-api';
import { AccountAgents, callAccountTag, type AccountAgentsDeps } from './account-agents';
import { accountsView, createAccountRequestHandlers } from './account-requests';
import { ApiFailure } from './api-error';
import type { UserAgentHost } from './user-agent-host';

export interface AccountsCoreDeps extends Omit<AccountAgentsDeps, 'registration' | 'password'> {
  /** The default account's host (the Transport tab's port; direct IP when the default is off or absent). */
  mainHost: UserAgentHost;
  settings: () => SettingsFile | null;
  /** Opens a stored password blob ('' when it cannot be opened; the core reports why). */
  password: (blob: string) => string;
  encrypt: (text: string, slot: SecretSlot) => string;
  storage: SecretStorage;
  /** Saves the settings (rejects when they could not be written), uses them, restarts the user agents. */
  commit: (next: SettingsFile) => Promise<void>;
  changed: (view: AccountsView) => void;
}

/** Where a dial goes out: a host with its user agent (null: the default host is not running) and the call's tag. */
export interface DialRoute {
  host: UserAgentHost;
  agent: UserAgent | null;
  tag?: CallAccount;
}

export function createAccountsCore(deps: AccountsCoreDeps) {
  const agents = new AccountAgents({ ...deps, password: (a) => deps.password(a.stored.passwordBlob), registration: () => changed() });
  const registration = (a: Pick<ListedAccount, 'id' | 'isDefault'>): RegistrationState => (a.isDefault ? deps.mainHost.registration() : agents.registration(a.id));
  const view = (): AccountsView => accountsView(deps.settings(), registration, deps.storage);
  const changed = (): void => deps.changed(view());
  const required = (): SettingsFile => {
    const s = deps.settings();
    if (!s) throw new ApiFailure('failed', 'the core is not started');
    return s;
  };

  /** The default account's tag for the default host's calls (none when it is off or direct IP). */
  const defaultTag = (): CallAccount | undefined => {
    const s = deps.settings();
    const first = s ? listAccounts(s)[0] : undefined;
    return first?.isDefault && first.enabled && first.stored.domain.trim() !== '' ? callAccountTag(first) : undefined;
  };

  /** The chosen account, else the default one, else the first enabled one, else direct IP on the default host. */
  const dialRoute = (accountId?: string): DialRoute => {
    let picked: ListedAccount | null;
    try {
      picked = pickDialAccount(listAccounts(required()), accountId);
    } catch (err) {
      throw err instanceof AccountListError ? new ApiFailure(err.code, err.message) : err;
    }
    if (!picked || picked.isDefault) return { host: deps.mainHost, agent: deps.mainHost.agent, ...(picked ? { tag: defaultTag() } : {}) };
    const other = agents.host(picked.id);
    if (!other) throw new ApiFailure('failed', `account ${picked.stored.accountName || picked.id} is not running`);
    return other;
  };

  const handlers = createAccountRequestHandlers({
    settings: required,
    commit: async (next) => {
      await deps.commit(next);
      changed();
    },
    encrypt: deps.encrypt,
    storage: deps.storage,
    registration,
  });

  return { agents, view, changed, defaultTag, dialRoute, handlers };
}
