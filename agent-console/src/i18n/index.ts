// Console i18n: t(key, params) with {name} placeholders, English fallback, a language switch.
// Other sections extend the dictionaries from their own folders with extendMessages() (no need to edit
// en.ts / bg.ts / sr-Cyrl.ts): e.g. src/hotline/i18n.ts. Serbian Latin is never written by hand: it is
// the transliteration of the Cyrillic text (shared/src/serbian.ts); extendMessages('sr-Latn', ...) holds
// only overrides, keys whose Latin usage differs from the letter-by-letter form.
import { useEffect, useState } from 'preact/hooks';
import { LANGUAGES, toSerbianLatin, type Language } from '@helpline/shared';
import { en } from './en.js';
import { bg } from './bg.js';
import { srCyrl } from './sr-Cyrl.js';
import { srLatnOverrides } from './sr-Latn.js';

export const UI_LANGUAGES = LANGUAGES;
export type UiLanguage = Language;
export type Messages = Record<string, string>;

const dictionaries: Record<UiLanguage, Messages> = { en: { ...en }, bg: { ...bg }, 'sr-Cyrl': { ...srCyrl }, 'sr-Latn': { ...srLatnOverrides } };
const latinCache = new Map<string, string>();
const STORAGE_KEY = 'helpline.console.lang';
/** Pseudo-localisation (tests and translators): every translated string is shown as ⟦…⟧. */
const PSEUDO_KEY = 'helpline.console.pseudo';

export function isUiLanguage(v: unknown): v is UiLanguage {
  return typeof v === 'string' && (UI_LANGUAGES as readonly string[]).includes(v);
}

function stored(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null; // storage may be blocked
  }
}

function initialLanguage(): UiLanguage {
  const saved = stored(STORAGE_KEY);
  if (isUiLanguage(saved)) return saved;
  const nav = typeof navigator !== 'undefined' ? (navigator.language ?? '').toLowerCase() : '';
  if (nav.startsWith('bg')) return 'bg';
  if (nav.startsWith('sr')) return nav.includes('latn') ? 'sr-Latn' : 'sr-Cyrl';
  return 'en';
}

let current: UiLanguage = initialLanguage();
const pseudo = stored(PSEUDO_KEY) === '1';
const listeners = new Set<(l: UiLanguage) => void>();

export function extendMessages(lang: UiLanguage, messages: Messages): void {
  Object.assign(dictionaries[lang], messages);
  if (lang === 'sr-Cyrl' || lang === 'sr-Latn') latinCache.clear();
}

/** The raw text of a key in a language, or undefined when that language lacks it (no fallback). */
export function lookup(lang: UiLanguage, key: string): string | undefined {
  if (lang !== 'sr-Latn') return dictionaries[lang][key];
  const override = dictionaries['sr-Latn'][key];
  if (override !== undefined) return override;
  const cyr = dictionaries['sr-Cyrl'][key];
  if (cyr === undefined) return undefined;
  let lat = latinCache.get(key);
  if (lat === undefined) latinCache.set(key, (lat = toSerbianLatin(cyr)));
  return lat;
}

/** Every key of a language's dictionary (sr-Latn: those of sr-Cyrl plus its overrides). */
export function keysOf(lang: UiLanguage): string[] {
  const own = Object.keys(dictionaries[lang]);
  return lang === 'sr-Latn' ? [...new Set([...Object.keys(dictionaries['sr-Cyrl']), ...own])] : own;
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

const mark = (s: string) => (pseudo ? `⟦${s}⟧` : s);

export function t(key: string, params?: Record<string, string | number>): string {
  const raw = lookup(current, key) ?? dictionaries.en[key] ?? key;
  if (!params) return mark(raw);
  return mark(raw.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)));
}

// Serbian Cyrillic only: a text with a Cyrillic letter Serbian lacks (Bulgarian ъ, щ, я, ю, й, ь, ѝ) is
// not Serbian and is never transliterated.
const CYRILLIC = /[\u0400-\u04ff]/;
const NOT_SERBIAN = /[ъщяюйьѝыэёЪЩЯЮЙЬЫЭЁ]/;

/**
 * Data seeded by a centre profile in Serbian Cyrillic (institution names, the police unit) in the staff
 * member's script: in Serbian Latin its transliteration (shared/src/serbian.ts), otherwise as stored.
 * Display only: what is stored, edited or sent stays as written, and Latin text typed by staff stays as typed.
 */
export function seeded(text: string): string {
  if (current !== 'sr-Latn' || !CYRILLIC.test(text) || NOT_SERBIAN.test(text)) return text;
  return toSerbianLatin(text);
}

/** A server error (typed code, optional field paths) in the staff member's language, never the server's English. */
export function errorText(err: unknown): string {
  const e = err as { code?: unknown; fields?: { path: string }[] } | null;
  const code = typeof e?.code === 'string' && lookup('en', `error.${e.code}`) !== undefined ? e.code : 'internal';
  const fields = Array.isArray(e?.fields) && e.fields.length ? ` ${t('error.fields', { fields: e.fields.map((f) => f.path).join(', ') })}` : '';
  return t(`error.${code}`) + fields;
}

/** The BCP 47 locale for Intl in the current language (Serbian with its script and country). */
export function intlLocale(lang: UiLanguage = current): string {
  return { en: 'en-GB', bg: 'bg-BG', 'sr-Cyrl': 'sr-Cyrl-RS', 'sr-Latn': 'sr-Latn-RS' }[lang];
}

type DateInput = string | number | Date;
const fmt = (opts: Intl.DateTimeFormatOptions) => (d: DateInput) => mark(new Intl.DateTimeFormat(intlLocale(), opts).format(new Date(d)));
/** Date and time, date, time (hours and minutes) and numbers in the staff member's language. */
export const formatDateTime = fmt({ dateStyle: 'short', timeStyle: 'short' });
export const formatDate = fmt({ dateStyle: 'medium' });
export const formatTime = fmt({ hour: '2-digit', minute: '2-digit' });
export const formatTimeSeconds = fmt({ timeStyle: 'medium' });
export function formatNumber(n: number, opts?: Intl.NumberFormatOptions): string {
  return mark(new Intl.NumberFormat(intlLocale(), opts).format(n));
}
/**
 * A counsellor's load or capacity in slots (weights make it fractional: an e-mail is 0.25), for a
 * parameter of `t` (which marks the whole string itself).
 */
export function slotsText(n: number): string {
  return new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: 2 }).format(n);
}
/** A country's name from its ISO 3166-1 code in the staff member's language, for a parameter of `t` (the code when unknown). */
export function regionName(code: string): string {
  try {
    return new Intl.DisplayNames(intlLocale(), { type: 'region', fallback: 'code' }).of(code.toUpperCase()) ?? code;
  } catch {
    return code; // not a well-formed region code
  }
}
/** "1.5 / 3": slots used of capacity, shown on its own. */
export function loadText(load: number, capacity: number): string {
  return mark(`${slotsText(load)} / ${slotsText(capacity)}`);
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
