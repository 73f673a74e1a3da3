// Languages of the widget: one dictionary module per language, a picker from the host page's hints.
import { LANGUAGES, matchLanguageTag, type Language } from '@helpline/shared';
import { bg } from './bg.js';
import { en, type Dict } from './en.js';
import { srCyrl } from './sr-Cyrl.js';
import { srLatn } from './sr-Latn.js';

export type { Dict };
export type Key = keyof Dict;

export const DICTS: Record<Language, Dict> = { bg, 'sr-Cyrl': srCyrl, 'sr-Latn': srLatn, en };

/** Each language named in itself, so a child finds theirs whatever is shown now. */
export const LANGUAGE_NAMES: Record<Language, string> = { bg: 'Български', 'sr-Cyrl': 'Српски (ћирилица)', 'sr-Latn': 'Srpski (latinica)', en: 'English' };

/** A BCP 47 tag (from <html lang>, data-lang or the browser) as one of ours, or null. */
export const matchLanguage = matchLanguageTag;

/** The first hint we support and the centre offers; else the centre's default. */
export function pickLanguage(hints: readonly (string | null | undefined)[], offered: readonly Language[], fallback: Language): Language {
  for (const h of hints) {
    const l = matchLanguage(h);
    if (l && offered.includes(l)) return l;
  }
  return offered.includes(fallback) ? fallback : (offered[0] ?? 'en');
}

export function translate(lang: Language, key: Key, params?: Record<string, string | number>): string {
  const s = DICTS[lang][key] ?? en[key];
  return params ? s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m)) : s;
}
