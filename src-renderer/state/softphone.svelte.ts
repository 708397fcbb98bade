// The window's whole state: connects the sub-states to the core (snapshot at start, events after),
// tracks whether the core is reachable, and turns call changes into screen-reader announcements.
import type { Api, AppSnapshot, CallSnapshot, VoicemailStatus } from '../lib/api';
import type { Connection } from '../lib/api';
import { summarizeEnd } from '../lib/call-end';
import { partyName } from '../lib/format';
import { AccountState } from './account.svelte';
import { AccountsState } from './accounts.svelte';
import { AudioState } from './audio.svelte';
import { CallsState } from './calls.svelte';
import { ContactsState } from './contacts.svelte';
import { FlowState } from './flow.svelte';
import { HistoryState } from './history.svelte';
import { MessagesState } from './messages.svelte';
import { OwnPresenceState } from './own-presence.svelte';
import { i18n } from './i18n.svelte';
import { NetworkState } from './network.svelte';
import { PreferencesState } from './preferences.svelte';

export type ConnectionStatus = 'connecting' | 'connected' | 'offline';
export type View = 'phone' | 'messages' | 'contacts' | 'history' | 'flow' | 'audio' | 'network';
export type SettingsTab = 'account' | 'voicemail' | 'topology' | 'transport' | 'advanced';

const RETRY_MS = 3000;

export class Softphone {
  readonly api: Api | null;
  connection = $state<ConnectionStatus>('connecting');
  /** Why we are offline: 'no-token' (page opened without the server's address) or a transport message. */
  offlineReason = $state('');
  version = $state('');
  problems = $state.raw<string[]>([]);
  #view = $state<View>('phone');
  settingsOpen = $state(false);
  /** The tab the settings dialog opens on (the Network view opens it on Topology). */
  settingsTab = $state<SettingsTab>('account');
  /** Issue 11: message-waiting as the core last reported it (null from a core without it). */
  voicemail = $state.raw<VoicemailStatus | null>(null);
  /** Text for the polite live region (call state changes, incoming calls). */
  announcement = $state('');

  readonly preferences: PreferencesState;
  readonly account: AccountState;
  /** Issue 11: every account with its registration. */
  readonly accounts: AccountsState;
  readonly history: HistoryState;
  readonly contacts: ContactsState;
  readonly calls: CallsState;
  readonly audio: AudioState;
  readonly flow: FlowState;
  readonly network: NetworkState;
  readonly messages: MessagesState;
  readonly ownPresence: OwnPresenceState;

  private unsubscribe: (() => void)[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private probing = false;

  constructor(connection: Connection) {
    this.api = connection.api;
    if (!connection.api) {
      this.connection = 'offline';
      this.offlineReason = connection.reason === 'no-token' ? 'no-token' : connection.detail;
    }
    this.preferences = new PreferencesState(this.api);
    this.accounts = new AccountsState(this.api);
    this.account = new AccountState(this.api, this.preferences, this.accounts);
    this.contacts = new ContactsState(this.api);
    this.history = new HistoryState(this.api, () => this.contacts.list);
    this.calls = new CallsState(this.api, () => this.history.recentTargets, (text) => this.contacts.resolve(text));
    this.audio = new AudioState(this.api, this.preferences);
    this.flow = new FlowState(this.api);
    this.network = new NetworkState(this.api);
    this.messages = new MessagesState(this.api);
    this.ownPresence = new OwnPresenceState(this.api);
    this.calls.onChange = (call, previous) => this.callChanged(call, previous);
  }

  get view(): View {
    return this.#view;
  }

  /** Issue 11, part 6: the chat on screen is the chat read. */
  set view(v: View) {
    this.#view = v;
    this.messages.showing = v === 'messages';
  }

  /** Subscribes to events, then loads the snapshot; retries every few seconds while the core is away. */
  async start(): Promise<void> {
    const api = this.api;
    if (!api) return;
    api.onFailure = () => void this.probe();
    this.unsubscribe.push(
      api.on('registration.changed', (r) => {
        if (r && typeof r.state === 'string') this.account.registration = r;
      }),
      api.on('call.changed', (c) => this.calls.apply(c)),
      // Issue 11: the other side asks to transfer us: the card shows Accept / Decline; a screen reader hears it.
      api.on('call.transferRequest', (r) => {
        if (typeof r?.target !== 'string') return;
        const call = this.calls.list.find((c) => c.id === r.callId);
        this.announcement = i18n.t.call.transferAnnounce(call ? partyName(call.remoteDisplayName, call.remoteUri) : r.target, r.target);
      }),
      api.on('flow.message', (m) => this.flow.add(m)),
      api.on('audio.level', (l) => this.audio.setLevels(l?.input, l?.output)),
      api.on('history.changed', (h) => this.history.apply(h)),
      api.on('contacts.changed', (list) => this.contacts.apply(list)),
      api.on('presence.changed', (all) => this.contacts.applyPresence(all)),
      api.on('voicemail.changed', (v) => {
        if (v && typeof v.subscription === 'string') this.voicemail = v;
      }),
      api.on('dial.prefill', (d) => {
        if (typeof d?.target !== 'string') return;
        this.calls.dialTarget = d.target.slice(0, 500);
        this.view = 'phone';
      }),
      api.on('network.changed', (n) => this.network.apply(n)),
      api.on('messages.changed', (e) => this.messages.apply(e)),
      api.on('presence.own', (s) => this.ownPresence.apply(s)),
      api.on('message.received', (m) => {
        if (typeof m?.from === 'string') this.announcement = i18n.t.messages.announce(partyName(m.displayName ?? '', m.from));
      }),
      api.on('accounts.changed', (v) => {
        this.accounts.apply(v);
        // A picked account that went away (removed, disabled) falls back to the default one.
        if (this.calls.dialAccountId && !this.accounts.enabled.some((a) => a.id === this.calls.dialAccountId)) this.calls.dialAccountId = '';
        if (this.messages.sendFrom && !this.accounts.enabled.some((a) => a.id === this.messages.sendFrom)) this.messages.sendFrom = '';
      }),
      api.on('app.problem', (p) => {
        if (typeof p?.message !== 'string' || this.problems.includes(p.message)) return;
        this.problems = [...this.problems, p.message];
      }),
    );
    await this.load();
  }

  /** (Re)reads everything from the core; after a lost connection, on a fresh transport. */
  async load(): Promise<boolean> {
    const api = this.api;
    if (!api || this.disposed) return false;
    this.clearRetry();
    if (this.connection === 'offline') {
      this.connection = 'connecting';
      api.reconnect();
    }
    const snap = await api.request('app.snapshot', {});
    if (!snap.ok) {
      this.lost(snap.error.message);
      return false;
    }
    this.applySnapshot(snap.value);
    this.connection = 'connected';
    this.offlineReason = '';
    await Promise.all([this.history.load(), this.contacts.load(), this.messages.load(), this.audio.refresh(), this.flow.refresh()]);
    return true;
  }

  applySnapshot(s: AppSnapshot): void {
    this.account.view = s.account;
    this.account.passwordStorage = s.passwordStorage;
    this.account.registration = s.registration;
    this.accounts.apply(s.accounts);
    this.calls.load(s.calls);
    this.preferences.apply(s.preferences);
    this.network.apply(s.network);
    i18n.preference = s.preferences.language;
    this.problems = Array.isArray(s.problems) ? s.problems.filter((p) => typeof p === 'string') : [];
    this.version = s.version;
    this.voicemail = s.voicemail ?? null;
    this.contacts.applyPresence(s.presence ?? {});
    this.messages.setUnread(s.messagesUnread);
    this.ownPresence.apply(s.ownPresence);
  }

  async setLanguage(language: 'system' | 'en' | 'ko'): Promise<void> {
    i18n.preference = language;
    if (this.connection === 'connected') await this.preferences.update({ language });
  }

  dismissProblem(index: number): void {
    this.problems = this.problems.filter((_, i) => i !== index);
  }

  openSettings(tab: SettingsTab = 'account'): void {
    this.settingsTab = tab;
    this.settingsOpen = true;
  }

  closeSettings(): void {
    this.settingsOpen = false;
    this.account.editingId = null;
  }

  dispose(): void {
    this.disposed = true;
    this.clearRetry();
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.calls.dispose();
  }

  /** A request failed: find out whether the core is still there (without touching the shown state). */
  private async probe(): Promise<void> {
    if (!this.api || this.probing || this.connection !== 'connected') return;
    this.probing = true;
    const r = await this.api.request('app.snapshot', {});
    this.probing = false;
    if (!r.ok) this.lost(r.error.message);
  }

  private lost(message: string): void {
    this.connection = 'offline';
    this.offlineReason = message;
    if (this.disposed || this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.load();
    }, RETRY_MS);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private callChanged(call: CallSnapshot, previous: CallSnapshot | null): void {
    const t = i18n.t;
    const party = partyName(call.remoteDisplayName, call.remoteUri);
    if (call.state === 'ended') this.audio.resetLevels();
    if (previous && previous.state === call.state) {
      // Issue 11: a hold or resume is announced like a state change.
      if (call.state === 'connected' && previous.hold?.local !== call.hold?.local) {
        this.announcement = t.call.announce(party, call.hold?.local ? t.call.onHold : t.call.connected(''));
      }
      return;
    }
    if (call.direction === 'incoming' && call.state === 'ringing') {
      this.announcement = t.incoming.announce(party);
      return;
    }
    const text =
      call.state === 'calling' ? t.call.calling
      : call.state === 'ringing' ? t.call.ringing
      : call.state === 'connected' ? t.call.connected('')
      : t.call.ended(call.end ? t.end[summarizeEnd(call.end).key] : t.end.ended);
    this.announcement = t.call.announce(party, text.trim());
  }
}
