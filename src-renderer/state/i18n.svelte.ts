// The UI language as shared reactive state: components read `i18n.t.*`; the preference comes from
// preferences.language ('system' follows navigator.language).
import { dictionaries, resolveLanguage, type Language, type LanguagePreference, type Messages } from '../i18n';

export class I18nState {
  preference = $state<LanguagePreference>('system');
  systemLocale = $state<string>(typeof navigator !== 'undefined' ? navigator.language : 'en');
  readonly language: Language = $derived(resolveLanguage(this.preference, this.systemLocale));
  readonly t: Messages = $derived(dictionaries[this.language]);
}

/** One per window: every component shows the same language. */
export const i18n = new I18nState();
