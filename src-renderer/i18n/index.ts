// Picks the UI language: the saved preference, else the system locale (navigator.language), else English.
import { en, type Messages } from './en';
import { ko } from './ko';

export type Language = 'en' | 'ko';
export type LanguagePreference = Language | 'system';
export type { Messages };

export const dictionaries: Record<Language, Messages> = { en, ko };

/** "ko-KR" -> 'ko'; anything we have no translation for -> 'en'. */
export function languageFromLocale(locale: string | undefined | null): Language {
  return (locale ?? '').toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

export function resolveLanguage(pref: LanguagePreference, systemLocale: string | undefined | null): Language {
  return pref === 'system' ? languageFromLocale(systemLocale) : pref;
}
