// Issue 11 (several accounts): the account list with each account's registration (accounts.changed),
// and its requests: add, edit, remove, enable, make default. Components call these; they hold no IPC.
import type { AccountEntry, AccountEntryForm, AccountsView, Api, ApiError } from '../lib/api';

export type AccountsResult = { ok: true } | { ok: false; message: string; fields: Record<string, string> };

export class AccountsState {
  list = $state.raw<AccountEntry[]>([]);
  /** Last failed list request (shown in the settings dialog's list). */
  error = $state('');
  busy = $state(false);

  constructor(private readonly api: Api | null) {}

  /** From the snapshot or an accounts.changed event; anything malformed is ignored. */
  apply(view: AccountsView | undefined | null): void {
    if (!view || !Array.isArray(view.accounts)) return;
    this.list = view.accounts.filter((a) => a && typeof a.id === 'string' && a.account && a.registration);
  }

  get enabled(): AccountEntry[] {
    return this.list.filter((a) => a.enabled);
  }

  get defaultAccount(): AccountEntry | undefined {
    return this.list.find((a) => a.isDefault);
  }

  /** The dial field's account picker shows only when there is a choice to make. */
  get pickerShown(): boolean {
    return this.enabled.length > 1;
  }

  find(id: string): AccountEntry | undefined {
    return this.list.find((a) => a.id === id);
  }

  /** Saves one account (no id: a new one); an empty password keeps the stored one. */
  async save(form: AccountEntryForm): Promise<AccountsResult> {
    if (!this.api) return { ok: false, message: '', fields: {} };
    const payload: AccountEntryForm = { ...form };
    if (!payload.password) delete payload.password;
    const r = await this.api.request('accounts.save', payload);
    if (!r.ok) return { ok: false, message: r.error.message, fields: r.error.fields ?? {} };
    await this.refresh();
    return { ok: true };
  }

  remove(id: string): Promise<boolean> {
    return this.run(() => this.api?.request('accounts.delete', { id }));
  }

  setEnabled(id: string, enabled: boolean): Promise<boolean> {
    return this.run(() => this.api?.request('accounts.enable', { id, enabled }));
  }

  makeDefault(id: string): Promise<boolean> {
    return this.run(() => this.api?.request('accounts.setDefault', { id }));
  }

  async refresh(): Promise<void> {
    const r = await this.api?.request('accounts.list', {});
    if (r?.ok) this.apply(r.value);
  }

  private async run(request: () => Promise<{ ok: true; value: AccountsView } | { ok: false; error: ApiError }> | undefined): Promise<boolean> {
    this.busy = true;
    try {
      const r = await request();
      if (!r) return false;
      if (!r.ok) {
        this.error = r.error.message;
        return false;
      }
      this.error = '';
      this.apply(r.value);
      return true;
    } finally {
      this.busy = false;
    }
  }
}

/** What the list and the picker call an account: its name, else user@domain. */
export function accountLabel(entry: AccountEntry, unnamed: string): string {
  const a = entry.account;
  return a.accountName.trim() || (a.userId && a.domain ? `${a.userId}@${a.domain}` : unnamed);
}
