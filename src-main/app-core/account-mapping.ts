// Translations between the account as the UI edits it (AccountForm), as stored (password blob), as the
// UI may see it (AccountView, no password) and as the user agent takes it (AccountSettings).
import type { AccountForm, AccountView } from '../ipc/contract';
import { decodePlainBlob, isPlainBlob, sipPasswordSlot, type SecretBox, type SecretSlot, type SecretStorage } from '../settings/secret-box';
import type { SettingsFile, StoredAccount } from '../settings/settings-schema';
import type { AccountSettings } from '../sip/user-agent-api';

export function toAccountView(stored: StoredAccount, passwordStorage?: SecretStorage): AccountView {
  const { passwordBlob, id: _id, enabled: _enabled, ...rest } = stored;
  const view: AccountView = { ...rest, hasPassword: passwordBlob !== '' };
  // Issue 11: the older boolean reads as the three-way setting it meant.
  if (typeof rest.acceptTransfer === 'boolean') view.acceptTransfer = rest.acceptTransfer ? 'always' : 'never';
  if (passwordStorage) view.passwordStorage = passwordStorage;
  return view;
}

/** The stored account after a save: an absent or empty password keeps the stored one (the UI never has it). */
export function toStoredAccount(form: AccountForm, previous: StoredAccount | null, encrypt: (text: string) => string): StoredAccount {
  const { password, ...rest } = form;
  const passwordBlob = password ? encrypt(password) : (previous?.passwordBlob ?? '');
  // Issue 11: the form knows neither the account's id nor its enabled flag; the stored ones stay.
  return { ...rest, passwordBlob, ...(previous?.id !== undefined ? { id: previous.id } : {}), ...(previous?.enabled !== undefined ? { enabled: previous.enabled } : {}) };
}

/**
 * What the user agent is given. No domain means direct-IP mode (no account at all): calls go to
 * sip:user@host[:port] and nothing registers.
 */
export function toAccountSettings(stored: StoredAccount | null, password: string): AccountSettings | undefined {
  if (!stored || stored.domain.trim() === '') return undefined;
  const { passwordBlob: _blob, id: _id, enabled: _enabled, ...rest } = stored;
  return { ...rest, password };
}

/** Cross-field checks zod's per-field schema cannot express; field -> message. */
export function accountFieldProblems(form: AccountForm): Record<string, string> {
  const fields: Record<string, string> = {};
  if (form.sendOutboundVia === 'proxy' && form.proxyAddress.trim() === '') fields.proxyAddress = 'a proxy address is needed to send outbound via a proxy';
  if (form.registerWithDomain && form.domain.trim() === '') fields.domain = 'a domain is needed to register';
  if (form.registerWithDomain && form.userId.trim() === '') fields.userId = 'a user ID is needed to register';
  return fields;
}

/**
 * The settings with the SIP and TURN passwords of older headless builds ("plain:" base64 blobs inside
 * settings.json) moved into the box: the OS keychain or keyring, or the 0600 secrets file. Null when
 * there is nothing to move (or the box is that plain encoding itself).
 */
export function secretsIntoKeychain(settings: SettingsFile, box: SecretBox): SettingsFile | null {
  if (box.storage === 'plain') return null;
  const move = (blob: string, slot: SecretSlot): string => (isPlainBlob(blob) ? box.encrypt(decodePlainBlob(blob), slot) : blob);
  const account = settings.account;
  const accountMoves = !!account && isPlainBlob(account.passwordBlob);
  const turnMoves = isPlainBlob(settings.turnPasswordBlob);
  // Issue 11: the other accounts' passwords move too, each into its own slot.
  const others = settings.otherAccounts ?? [];
  const othersMove = others.some((a) => isPlainBlob(a.passwordBlob));
  if (!accountMoves && !turnMoves && !othersMove) return null;
  const next: SettingsFile = {
    ...settings,
    account: account && accountMoves ? { ...account, passwordBlob: move(account.passwordBlob, sipPasswordSlot(account.id)) } : account,
    turnPasswordBlob: move(settings.turnPasswordBlob, 'turn-password'),
  };
  if (othersMove) next.otherAccounts = others.map((a) => ({ ...a, passwordBlob: move(a.passwordBlob, sipPasswordSlot(a.id)) }));
  return next;
}
