// Console i18n: t(key, params) with {name} placeholders, English fallback, a language switch.
// Other sections extend the dictionaries from their own folders with extendMessages() (no need to edit
// en.ts / bg.ts): e.g. in src/hotline/i18n.ts `extendMessages('en', {...}); extendMessages('bg', {...})`
// and import that file from the section's component.
import { useEffect, useState } from 'preact/hooks';
import { en } from './en.js';
import { bg } from './bg.js';

export const UI_LANGUAGES = ['en', 'bg'] as const;
export type UiLanguage = (typeof UI_LANGUAGES)[number];
export type Messages = Record<string, string>;

const dictionaries: Record<UiLanguage, Messages> = { en: { ...en }, bg: { ...bg } };
const STORAGE_KEY = 'helpline.console.lang';

function initialLanguage(): UiLanguage {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'en' || saved === 'bg') return saved;
  } catch {
    /* storage may be blocked */
  }
  return typeof navigator !== 'undefined' && navigator.language?.startsWith('bg') ? 'bg' : 'en';
}

let current: UiLanguage = initialLanguage();
const listeners = new Set<(l: UiLanguage) => void>();

export function extendMessages(lang: UiLanguage, messages: Messages): void {
  Object.assign(dictionaries[lang], messages);
}

export function getLanguage(): UiLanguage {
  return current;
}

export function setLanguage(lang: UiLanguage): void {
  if (lang === current) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* ignore */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  for (const l of listeners) l(lang);
}

export function t(key: string, params?: Record<string, string | number>): string {
  const raw = dictionaries[current][key] ?? dictionaries.en[key] ?? key;
  if (!params) return raw;
  return raw.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** Re-render the calling component when the language changes. */
export function useLanguage(): UiLanguage {
  const [lang, setLang] = useState(current);
  useEffect(() => {
    listeners.add(setLang);
    return () => void listeners.delete(setLang);
  }, []);
  return lang;
}

if (typeof document !== 'undefined') document.documentElement.lang = current;
