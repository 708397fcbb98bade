// Preferences as the core stores them (language, audio devices, ports), with save through the API.
import type { Api, Preferences } from '../lib/api';

export const DEFAULT_PREFERENCES: Preferences = {
  language: 'system',
  inputDevice: null,
  outputDevice: null,
  sipPort: 5060,
  rtpPortMin: 10000,
  rtpPortMax: 20000,
};

export type SaveOutcome = { ok: true } | { ok: false; message: string; fields: Record<string, string> };

export class PreferencesState {
  value = $state.raw<Preferences>(DEFAULT_PREFERENCES);
  /** True once the core's values arrived (before that the defaults above are shown). */
  loaded = $state(false);
  error = $state('');

  constructor(private readonly api: Api | null) {}

  apply(p: Preferences): void {
    this.value = p;
    this.loaded = true;
  }

  async save(next: Preferences): Promise<SaveOutcome> {
    if (!this.api) return { ok: false, message: 'not connected', fields: {} };
    const r = await this.api.request('preferences.save', next);
    if (!r.ok) {
      this.error = r.error.message;
      return { ok: false, message: r.error.message, fields: r.error.fields ?? {} };
    }
    this.error = '';
    this.apply(r.value);
    return { ok: true };
  }

  /** Saves one or more fields on top of the current preferences. */
  update(patch: Partial<Preferences>): Promise<SaveOutcome> {
    return this.save({ ...this.value, ...patch });
  }
}
