// Issue 11 (several accounts): the pure operations on settings.json's accounts (the default one in
// `account`, the rest in `otherAccounts`) and the choice of the account an outgoing call goes out on.
import { FIRST_ACCOUNT_ID, MAX_ACCOUNTS, type SettingsFile, type StoredAccount, type StoredOtherAccount } from './settings-schema';

/** One account with its id made explicit and whether it is the default. */
export interface ListedAccount {
  id: string;
  enabled: boolean;
  isDefault: boolean;
  stored: StoredAccount;
}

export function accountIdOf(stored: StoredAccount): string {
  return stored.id ?? FIRST_ACCOUNT_ID;
}

export function isEnabled(stored: StoredAccount): boolean {
  return stored.enabled !== false;
}

/** Every account, the default first, then the others in the order they were added. */
export function listAccounts(settings: SettingsFile): ListedAccount[] {
  const list: ListedAccount[] = [];
  if (settings.account) list.push({ id: accountIdOf(settings.account), enabled: isEnabled(settings.account), isDefault: true, stored: settings.account });
  for (const other of settings.otherAccounts ?? []) list.push({ id: other.id, enabled: isEnabled(other), isDefault: false, stored: other });
  return list;
}

export function findAccount(settings: SettingsFile, id: string): ListedAccount | undefined {
  return listAccounts(settings).find((a) => a.id === id);
}

/** The lowest free "account-N" (N from 1): short, readable in settings.json, never a used one. */
export function newAccountId(settings: SettingsFile): string {
  const used = new Set(listAccounts(settings).map((a) => a.id));
  for (let n = 1; ; n++) if (!used.has(`account-${n}`)) return `account-${n}`;
}

export class AccountListError extends Error {
  constructor(
    readonly code: 'not-found' | 'failed',
    message: string,
  ) {
    super(message);
  }
}

function withOthers(settings: SettingsFile, others: StoredOtherAccount[]): SettingsFile {
  const next: SettingsFile = { ...settings };
  if (others.length > 0) next.otherAccounts = others;
  else delete next.otherAccounts;
  return next;
}

function asOther(stored: StoredAccount, id: string): StoredOtherAccount {
  return { ...stored, id };
}

/**
 * Stores `stored` under `id` (replacing that account) or, when `id` is absent, as a new account: the
 * default one when there is none yet, else the last of the others. Returns the settings and the id.
 */
export function putAccount(settings: SettingsFile, id: string | undefined, stored: StoredAccount): { settings: SettingsFile; id: string } {
  if (id === undefined) {
    if (!settings.account) {
      // The first account: its id stays implicit, exactly as a single-account core writes it.
      const { id: _drop, ...rest } = stored;
      return { settings: { ...settings, account: rest }, id: FIRST_ACCOUNT_ID };
    }
    if (listAccounts(settings).length >= MAX_ACCOUNTS) throw new AccountListError('failed', `at most ${MAX_ACCOUNTS} accounts`);
    const newId = newAccountId(settings);
    return { settings: withOthers(settings, [...(settings.otherAccounts ?? []), asOther(stored, newId)]), id: newId };
  }
  const found = findAccount(settings, id);
  if (!found) throw new AccountListError('not-found', `no account ${id.slice(0, 40)}`);
  if (found.isDefault) {
    const account: StoredAccount = { ...stored };
    if (settings.account?.id !== undefined) account.id = settings.account.id;
    else delete account.id;
    return { settings: { ...settings, account }, id };
  }
  return { settings: withOthers(settings, (settings.otherAccounts ?? []).map((a) => (a.id === id ? asOther(stored, id) : a))), id };
}

/** Removes an account; when it was the default, the first other account becomes the default. */
export function removeAccount(settings: SettingsFile, id: string): SettingsFile {
  const found = findAccount(settings, id);
  if (!found) throw new AccountListError('not-found', `no account ${id.slice(0, 40)}`);
  const others = settings.otherAccounts ?? [];
  if (!found.isDefault) return withOthers(settings, others.filter((a) => a.id !== id));
  const [promoted, ...rest] = others;
  return withOthers({ ...settings, account: promoted ?? null }, rest);
}

/** Makes `id` the default account; the previous default goes to the front of the others, with its id. */
export function makeDefault(settings: SettingsFile, id: string): SettingsFile {
  const found = findAccount(settings, id);
  if (!found) throw new AccountListError('not-found', `no account ${id.slice(0, 40)}`);
  if (found.isDefault || !settings.account) return settings;
  const previous = asOther(settings.account, accountIdOf(settings.account));
  const others = (settings.otherAccounts ?? []).filter((a) => a.id !== id);
  return withOthers({ ...settings, account: { ...found.stored, id } }, [previous, ...others]);
}

export function setAccountEnabled(settings: SettingsFile, id: string, enabled: boolean): SettingsFile {
  const found = findAccount(settings, id);
  if (!found) throw new AccountListError('not-found', `no account ${id.slice(0, 40)}`);
  // Absent means enabled: write the field only to turn an account off, so untouched files stay as they were.
  const apply = (stored: StoredAccount): StoredAccount => {
    const next = { ...stored };
    if (enabled) delete next.enabled;
    else next.enabled = false;
    return next;
  };
  if (found.isDefault && settings.account) return { ...settings, account: apply(settings.account) };
  return withOthers(settings, (settings.otherAccounts ?? []).map((a) => (a.id === id ? { ...apply(a), id } : a)));
}

/**
 * The account an outgoing call (or message) goes out on: the one asked for, which must exist and be
 * enabled; else the default when enabled; else the first enabled one; null = none (direct IP, as with
 * no account at all).
 */
export function pickDialAccount(accounts: readonly ListedAccount[], requested?: string): ListedAccount | null {
  if (requested !== undefined) {
    const found = accounts.find((a) => a.id === requested);
    if (!found) throw new AccountListError('not-found', `no account ${requested.slice(0, 40)}`);
    if (!found.enabled) throw new AccountListError('failed', `account ${found.stored.accountName || found.id} is disabled`);
    return found;
  }
  return accounts.find((a) => a.isDefault && a.enabled) ?? accounts.find((a) => a.enabled) ?? null;
}
