// A BCP 47 tag (a link's ?lang=, an Accept-Language header, <html lang>) as one of the platform's languages.
import { LANGUAGES, type Language } from './domain.js';

export function matchLanguageTag(tag: string | null | undefined): Language | null {
  if (!tag) return null;
  const t = tag.trim().toLowerCase().replace(/_/g, '-');
  if (!t) return null;
  const exact = LANGUAGES.find((l) => l.toLowerCase() === t);
  if (exact) return exact;
  const [primary, ...rest] = t.split('-');
  if (primary === 'bg') return 'bg';
  if (primary === 'en') return 'en';
  // Serbian without a script is Cyrillic (the official script); "sh" (Serbo-Croatian) is written in Latin.
  if (primary === 'sr' || primary === 'sh') return rest.includes('latn') || primary === 'sh' ? 'sr-Latn' : 'sr-Cyrl';
  return null;
}

/** The first language of an Accept-Language header the platform has (in the header's order of preference). */
export function matchAcceptLanguage(header: string | null | undefined, offered: readonly Language[] = LANGUAGES): Language | null {
  const tags = (header ?? '')
    .split(',')
    .map((p) => {
      const [tag, ...params] = p.trim().split(';');
      const q = params.map((x) => /^\s*q=([\d.]+)/.exec(x)?.[1]).find(Boolean);
      return { tag: tag ?? '', q: q === undefined ? 1 : Number(q) };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of tags) {
    const l = matchLanguageTag(tag);
    if (l && offered.includes(l)) return l;
  }
  return null;
}
