// Issue 11 (several accounts): the `accounts.*` request handlers and the account list as the UI sees it
// (each account with its own registration). Every change is saved first, then the user agents restart
// (after the calls in progress, as with `account.save`).
import type { AccountEntry, AccountsView, RequestPayload, ResponseMap } from '../ipc/contract';
import type { RegistrationState } from '../sip/user-agent-api';
import { AccountListError, findAccount, listAccounts, makeDefault, newAccountId, putAccount, removeAccount, setAccountEnabled, type ListedAccount } from '../settings/account-list';
import { sipPasswordSlot, type SecretStorage, type SecretSlot } from '../settings/secret-box';
import { FIRST_ACCOUNT_ID, type SettingsFile, type StoredAccount } from '../settings/settings-schema';
import { accountFieldProblems, toAccountView, toStoredAccount } from './account-mapping';
import { ApiFailure } from './api-error';

type AccountChannel = 'accounts.list' | 'accounts.save' | 'accounts.delete' | 'accounts.setDefault' | 'accounts.enable';

export interface AccountRequestDeps {
  settings: () => SettingsFile;
  /** Saves the settings (rejects when the file could not be written), then uses them. */
  commit: (next: SettingsFile) => Promise<void>;
  encrypt: (text: string, slot: SecretSlot) => string;
  storage: SecretStorage;
  registration: (account: ListedAccount) => RegistrationState;
}

/** The account as the UI may see it: no password, and its id and enabled flag beside it, not inside. */
export function accountEntry(account: ListedAccount, registration: RegistrationState, storage: SecretStorage): AccountEntry {
  const { id: _id, enabled: _enabled, ...stored } = account.stored;
  return {
    id: account.id,
    enabled: account.enabled,
    isDefault: account.isDefault,
    account: toAccountView(stored, storage),
    registration: account.enabled ? registration : { state: 'unregistered' },
  };
}

export function accountsView(settings: SettingsFile | null, registration: (a: ListedAccount) => RegistrationState, storage: SecretStorage): AccountsView {
  return { accounts: settings ? listAccounts(settings).map((a) => accountEntry(a, registration(a), storage)) : [] };
}

function rethrow(err: unknown): never {
  if (err instanceof AccountListError) throw new ApiFailure(err.code, err.message);
  throw err;
}

export function createAccountRequestHandlers(deps: AccountRequestDeps): { [C in AccountChannel]: (p: RequestPayload<C>) => Promise<ResponseMap[C]> } {
  const view = (): AccountsView => accountsView(deps.settings(), deps.registration, deps.storage);
  const commit = async (next: SettingsFile): Promise<void> => {
    await deps.commit(next).catch((err: Error) => {
      throw new ApiFailure('failed', `the accounts could not be saved: ${err.message}`);
    });
  };

  return {
    'accounts.list': async () => view(),

    'accounts.save': async ({ id, enabled, ...form }) => {
      const fields = accountFieldProblems(form);
      if (Object.keys(fields).length > 0) throw new ApiFailure('invalid-request', 'invalid account', fields);
      const settings = deps.settings();
      const previous: StoredAccount | null = id === undefined ? null : (findAccount(settings, id)?.stored ?? null);
      if (id !== undefined && !previous) throw new ApiFailure('not-found', `no account ${id}`);
      // A new account's password slot is named after the id it is about to get.
      const targetId = id ?? (settings.account ? newAccountId(settings) : FIRST_ACCOUNT_ID);
      const stored = toStoredAccount(form, previous, (text) => deps.encrypt(text, sipPasswordSlot(targetId)));
      if (enabled === false) stored.enabled = false;
      else if (enabled === true) delete stored.enabled;
      let result: { settings: SettingsFile; id: string };
      try {
        result = putAccount(settings, id, stored);
      } catch (err) {
        rethrow(err);
      }
      await commit(result.settings);
      const saved = findAccount(result.settings, result.id);
      if (!saved) throw new ApiFailure('failed', 'the account vanished while saving');
      return accountEntry(saved, deps.registration(saved), deps.storage);
    },

    'accounts.delete': async ({ id }) => {
      let next: SettingsFile;
      try {
        next = removeAccount(deps.settings(), id);
      } catch (err) {
        rethrow(err);
      }
      await commit(next);
      return view();
    },

    'accounts.setDefault': async ({ id }) => {
      let next: SettingsFile;
      try {
        next = makeDefault(deps.settings(), id);
      } catch (err) {
        rethrow(err);
      }
      if (next !== deps.settings()) await commit(next);
      return view();
    },

    'accounts.enable': async ({ id, enabled }) => {
      let next: SettingsFile;
      try {
        next = setAccountEnabled(deps.settings(), id, enabled);
      } catch (err) {
        rethrow(err);
      }
      await commit(next);
      return view();
    },
  };
}
