// The SIP account and its registration: what the status line shows and what the settings dialog saves.
import type { AccountForm, AccountView, Api, Preferences, RegistrationState } from '../lib/api';
import type { TopologyValues, TransportField } from '../lib/account-validation';
import type { PreferencesState } from './preferences.svelte';
import type { AccountsState } from './accounts.svelte';
import { i18n } from './i18n.svelte';

/** X-Lite's defaults for a new account (the seed's dialog: Account 1, register, outbound via domain). */
export const NEW_ACCOUNT: AccountForm = {
  accountName: 'Account 1',
  userId: '',
  domain: '',
  password: '',
  displayName: '',
  authorizationName: '',
  registerWithDomain: true,
  sendOutboundVia: 'domain',
  proxyAddress: '',
  dialPlan: '#1\\a\\a.T;match=1;prestrip=2;',
  registerExpires: 3600,
};

export type SettingsSaveResult =
  | { ok: true }
  | { ok: false; message: string; fields: Record<string, string> };

export class AccountState {
  view = $state.raw<AccountView | null>(null);
  /** Where the core keeps passwords (from the snapshot), known before any account is saved. */
  passwordStorage = $state.raw<AccountView['passwordStorage']>(undefined);
  registration = $state.raw<RegistrationState>({ state: 'unregistered' });
  busy = $state(false);
  /** Last failed register/unregister request (the server's own reason arrives in `registration`). */
  error = $state('');

  /**
   * Issue 11: which account the settings form edits: null = the default one (through account.save, as
   * before several accounts), 'new' = one to add, else another account's id (through accounts.save).
   */
  editingId = $state<string | null>(null);

  constructor(
    private readonly api: Api | null,
    private readonly preferences: PreferencesState,
    private readonly accounts?: AccountsState,
  ) {}

  /** The id the account list marks as edited ('new' for a new one). */
  get editingKey(): string {
    return this.editingId ?? this.accounts?.defaultAccount?.id ?? 'new';
  }

  /** The stored account the form edits (null: a new one). */
  get editedView(): AccountView | null {
    if (this.editingId === null) return this.view;
    if (this.editingId === 'new') return null;
    return this.accounts?.find(this.editingId)?.account ?? null;
  }

  /** Starts editing another account in the settings form (the default one goes through account.save). */
  edit(id: string | 'new'): void {
    const entry = id === 'new' ? undefined : this.accounts?.find(id);
    this.editingId = entry?.isDefault || (id !== 'new' && !entry) ? null : id;
  }

  /** Starting values for the settings form; the password is never sent back by the core. */
  formValues(): AccountForm {
    const v = this.editedView;
    if (!v && this.editingId === 'new') return { ...NEW_ACCOUNT, accountName: `Account ${(this.accounts?.list.length ?? 0) + 1}` };
    if (!v) return { ...NEW_ACCOUNT };
    return {
      accountName: v.accountName,
      userId: v.userId,
      domain: v.domain,
      password: '',
      displayName: v.displayName,
      authorizationName: v.authorizationName,
      registerWithDomain: v.registerWithDomain,
      sendOutboundVia: v.sendOutboundVia,
      proxyAddress: v.proxyAddress,
      dialPlan: v.dialPlan,
      registerExpires: v.registerExpires,
      // Issue 9 options (set in settings.json or by the CLI): carried through a save unchanged.
      ...(v.authRealms ? { authRealms: [...v.authRealms] } : {}),
      ...(v.refuseMd5WithoutQop !== undefined ? { refuseMd5WithoutQop: v.refuseMd5WithoutQop } : {}),
      ...(v.allowDirectCalls !== undefined ? { allowDirectCalls: v.allowDirectCalls } : {}),
      ...(v.acceptTransfer !== undefined ? { acceptTransfer: v.acceptTransfer } : {}),
      ...(v.sessionExpires !== undefined ? { sessionExpires: v.sessionExpires } : {}),
      ...(v.transport !== undefined ? { transport: v.transport } : {}),
      ...(v.caFile !== undefined ? { caFile: v.caFile } : {}),
      // Issue 10: SRTP mode and its UDP override.
      ...(v.srtp !== undefined ? { srtp: v.srtp } : {}),
      ...(v.srtpOverUdp !== undefined ? { srtpOverUdp: v.srtpOverUdp } : {}),
      // Issue 13: the codec order.
      ...(v.codecs !== undefined ? { codecs: [...v.codecs] } : {}),
      // Issue 11: the Voicemail tab.
      ...(v.voicemailNumber !== undefined ? { voicemailNumber: v.voicemailNumber } : {}),
      ...(v.mwiSubscribe !== undefined ? { mwiSubscribe: v.mwiSubscribe } : {}),
      ...(v.mailboxUri !== undefined ? { mailboxUri: v.mailboxUri } : {}),
    };
  }

  /** "sip:alice@example.com" for the status line, or '' without an account. */
  get addressOfRecord(): string {
    const v = this.view;
    return v && v.userId && v.domain ? `sip:${v.userId}@${v.domain}` : '';
  }

  /**
   * Saves the account (and the Transport and Topology tabs' preferences when they changed); the core
   * then registers (or not) as "Register with domain" says.
   */
  async save(form: AccountForm | null, transport?: Pick<Preferences, TransportField>, topology?: TopologyValues): Promise<SettingsSaveResult> {
    if (!this.api) return { ok: false, message: i18n.t.dial.notConnected, fields: {} };
    this.busy = true;
    try {
      // null: only the preferences changed (no account yet, direct-IP use).
      if (form && this.accounts && this.editingId !== null) {
        // Issue 11: a new account, or one that is not the default.
        const r = await this.accounts.save(this.editingId === 'new' ? form : { ...form, id: this.editingId });
        if (!r.ok) return r;
      } else if (form) {
        // An empty password means "keep the stored one" (contract: write-only field).
        const payload: AccountForm = { ...form };
        if (!payload.password) delete payload.password;
        const saved = await this.api.request('account.save', payload);
        if (!saved.ok) return { ok: false, message: saved.error.message, fields: saved.error.fields ?? {} };
        this.view = saved.value;
      }

      const patch = preferencesPatch(this.preferences.value, transport, topology);
      if (patch) {
        const r = await this.preferences.update(patch);
        if (!r.ok) return r;
      }

      // The core restarts the user agent with the new account and registers by itself when
      // "Register with domain" is on; the new state arrives as a registration.changed event.
      return { ok: true };
    } finally {
      this.busy = false;
    }
  }

  async register(): Promise<void> {
    if (!this.api) return;
    this.registration = { state: 'registering' };
    const r = await this.api.request('registration.register', {});
    if (r.ok) {
      this.error = '';
      this.registration = r.value;
    } else {
      this.error = r.error.message;
      this.registration = { state: 'failed', reason: r.error.message };
    }
  }

  async unregister(): Promise<void> {
    if (!this.api) return;
    const r = await this.api.request('registration.unregister', {});
    if (r.ok) this.registration = r.value;
    else this.error = r.error.message;
  }
}

/** The preference fields the dialog changed (a typed TURN password always counts), or null for none. */
export function preferencesPatch(
  current: Preferences,
  transport?: Pick<Preferences, TransportField>,
  topology?: TopologyValues,
): (Partial<Preferences> & { turnPassword?: string }) | null {
  const patch: Partial<Preferences> & { turnPassword?: string } = {};
  const edited: Partial<Preferences> = { ...transport };
  if (topology) {
    const { turnPassword, ...rest } = topology;
    Object.assign(edited, { ...rest, stunServer: rest.stunServer.trim(), turnServer: rest.turnServer.trim(), turnUser: rest.turnUser.trim() });
    if (turnPassword !== '') patch.turnPassword = turnPassword;
  }
  for (const [key, value] of Object.entries(edited) as [keyof Preferences, Preferences[keyof Preferences]][]) {
    if (current[key] !== value) Object.assign(patch, { [key]: value });
  }
  return Object.keys(patch).length > 0 ? patch : null;
}
