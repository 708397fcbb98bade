// Preferences as the core stores them (language, audio devices, ports, Topology: STUN/TURN/ICE and
// keep-alives), with save through the API. The TURN password is write-only: the core only says whether one is stored.
import type { Api, PreferencesForm, PreferencesView } from '../lib/api';
import { i18n } from './i18n.svelte';

export const DEFAULT_PREFERENCES: PreferencesView = {
  language: 'system',
  inputDevice: null,
  outputDevice: null,
  echoCancellation: true,
  sipPort: 5060,
  rtpPortMin: 10000,
  rtpPortMax: 20000,
  stunServer: '',
  turnServer: '',
  turnUser: '',
  iceEnabled: false,
  keepAliveMethod: 'options',
  keepAliveSeconds: 25,
  hasTurnPassword: false,
};

export type SaveOutcome = { ok: true } | { ok: false; message: string; fields: Record<string, string> };

/** What is sent: the view without `hasTurnPassword`, plus a new TURN password only when one was typed. */
function toForm(next: PreferencesView & { turnPassword?: string }): PreferencesForm {
  const { hasTurnPassword: _stored, turnPassword, ...prefs } = next;
  return turnPassword ? { ...prefs, turnPassword } : prefs;
}

export class PreferencesState {
  value = $state.raw<PreferencesView>(DEFAULT_PREFERENCES);
  /** True once the core's values arrived (before that the defaults above are shown). */
  loaded = $state(false);
  error = $state('');

  constructor(private readonly api: Api | null) {}

  apply(p: PreferencesView): void {
    // An older core may not know the newer fields: its values win, the defaults fill the gaps.
    this.value = { ...DEFAULT_PREFERENCES, ...p };
    this.loaded = true;
  }

  async save(next: PreferencesView & { turnPassword?: string }): Promise<SaveOutcome> {
    if (!this.api) return { ok: false, message: i18n.t.dial.notConnected, fields: {} };
    const r = await this.api.request('preferences.save', toForm(next));
    if (!r.ok) {
      this.error = r.error.message;
      return { ok: false, message: r.error.message, fields: r.error.fields ?? {} };
    }
    this.error = '';
    this.apply(r.value);
    return { ok: true };
  }

  /** Saves one or more fields on top of the current preferences. */
  update(patch: Partial<PreferencesForm>): Promise<SaveOutcome> {
    return this.save({ ...this.value, ...patch });
  }
}
