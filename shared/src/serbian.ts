// Serbian in two scripts. Cyrillic is the source of every Serbian text in the product; Latin is
// generated from it (one letter maps to one letter or digraph, both ways, by the official alphabets), with
// an overrides table for the few places where Latin usage differs from the letter-by-letter form
// (foreign names kept in their own spelling, brand names). So the two scripts cannot drift apart.
// Pure functions with no dependencies: the console, the server and the widget all use them.

const CYR_TO_LAT: Record<string, string> = {
  а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', ђ: 'đ', е: 'e', ж: 'ž', з: 'z', и: 'i', ј: 'j', к: 'k', л: 'l',
  љ: 'lj', м: 'm', н: 'n', њ: 'nj', о: 'o', п: 'p', р: 'r', с: 's', т: 't', ћ: 'ć', у: 'u', ф: 'f',
  х: 'h', ц: 'c', ч: 'č', џ: 'dž', ш: 'š',
};

/** Serbian Cyrillic text in Serbian Latin, letter by letter (Љ → Lj before lower case, LJ in capitals). */
export function cyrillicToLatin(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const lower = ch.toLowerCase();
    const lat = CYR_TO_LAT[lower];
    if (lat === undefined) {
      out += ch;
      continue;
    }
    if (ch === lower) {
      out += lat;
      continue;
    }
    // A capital digraph letter: all capitals when the neighbouring letter is a capital too (ЉУБАВ → LJUBAV),
    // title case otherwise (Љубав → Ljubav).
    const next = text[i + 1] ?? '';
    const prev = text[i - 1] ?? '';
    const isUpperLetter = (c: string) => c !== '' && c !== c.toLowerCase();
    const shout = lat.length > 1 && (isUpperLetter(next) || (!/\p{L}/u.test(next) && isUpperLetter(prev)));
    out += shout ? lat.toUpperCase() : lat.charAt(0).toUpperCase() + lat.slice(1);
  }
  return out;
}

/**
 * Latin for display: letter-by-letter transliteration, then overrides (whole Cyrillic phrases whose Latin
 * form is not their transliteration, e.g. foreign names: { 'Фејсбук': 'Facebook' }). Placeholders such as
 * {name} and URLs pass through unchanged because they are written in Latin letters already.
 */
export function toSerbianLatin(text: string, overrides: Readonly<Record<string, string>> = {}): string {
  let s = text;
  // Longest phrases first so an override of "Инстаграм профил" wins over one of "Инстаграм".
  for (const from of Object.keys(overrides).sort((a, b) => b.length - a.length)) {
    if (from) s = s.split(from).join(`\u0000${Object.keys(overrides).indexOf(from)}\u0000`);
  }
  s = cyrillicToLatin(s);
  const keys = Object.keys(overrides);
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => overrides[keys[Number(i)]!]!);
}

/** A dictionary of Cyrillic strings as Latin ones, key by key. */
export function latinDictionary<K extends string>(cyrillic: Readonly<Record<K, string>>, overrides: Readonly<Record<string, string>> = {}): Record<K, string> {
  const out = {} as Record<K, string>;
  for (const k of Object.keys(cyrillic) as K[]) out[k] = toSerbianLatin(cyrillic[k], overrides);
  return out;
}

/**
 * A search key that is the same for a word in either Serbian script, with or without diacritics, in any
 * case: "Петар", "Petar", "PETAR" → "petar"; "Ђорђе", "Đorđe", "Djordje", "Dorde" → "dorde" (đ and dj fold
 * together, so does every diacritic). Bulgarian Cyrillic letters outside Serbian stay Cyrillic.
 */
export function searchFold(text: string): string {
  return cyrillicToLatin(text.toLowerCase())
    .replace(/dj/g, 'đ')
    .replace(/đ/g, 'd')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '');
}
