// The console's catalogue is complete in every language: each key of English exists in Bulgarian, Serbian
// Cyrillic and Serbian Latin (and no language has keys English lacks), with the same {placeholders};
// every literal key the code passes to t() exists; Serbian Cyrillic has no half-Latin word (a typo the
// transliteration would carry into Latin) and Serbian Latin no Cyrillic letter outside its overrides.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keysOf, lookup, UI_LANGUAGES } from '../src/i18n/index.js';
import { srLatnOverrides } from '../src/i18n/sr-Latn.js';
import '../src/admin/i18n.js';
import '../src/hotline/i18n.js';
import '../src/messages/i18n.js';
import '../src/supervision/i18n.js';
import '../src/alerts/i18n.js';
import '../src/counsellor/i18n.voice.js';

const SRC = join(import.meta.dirname, '../src');
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}

describe('console catalogue', () => {
  const en = keysOf('en');
  it.each(UI_LANGUAGES.filter((l) => l !== 'en'))('%s has every English key and no other', (lang) => {
    const keys = new Set(keysOf(lang));
    expect(en.filter((k) => !keys.has(k))).toEqual([]);
    expect([...keys].filter((k) => !en.includes(k))).toEqual([]);
  });

  it.each(UI_LANGUAGES.filter((l) => l !== 'en'))('%s keeps the placeholders of each English text', (lang) => {
    const wrong = en.filter((k) => placeholders(lookup(lang, k) ?? '').join() !== placeholders(lookup('en', k)!).join());
    expect(wrong).toEqual([]);
  });

  it('knows every key the code passes to t() as a literal', () => {
    const used = new Set<string>();
    for (const f of sourceFiles(SRC)) for (const m of readFileSync(f, 'utf8').matchAll(/\bt\(\s*'([\w.-]+)'\s*[,)]/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(300);
    expect([...used].filter((k) => lookup('en', k) === undefined)).toEqual([]);
  });

  it('writes Serbian Cyrillic words in one script, and Serbian Latin in Latin', () => {
    const mixed = keysOf('sr-Cyrl').filter((k) => /\p{Script=Cyrillic}+\p{Script=Latin}|\p{Script=Latin}+\p{Script=Cyrillic}/u.test(lookup('sr-Cyrl', k)!));
    expect(mixed).toEqual([]);
    const cyrillicInLatin = keysOf('sr-Latn').filter((k) => !(k in srLatnOverrides) && /\p{Script=Cyrillic}/u.test(lookup('sr-Latn', k)!));
    expect(cyrillicInLatin).toEqual([]);
    expect(lookup('sr-Latn', 'nav.chats')).toBe('Ćaskanja');
  });
});

describe('seeded data in the console script', () => {
  it('shows Serbian Cyrillic data in Latin in sr-Latn only, Latin and Bulgarian as stored', async () => {
    const { getLanguage, seeded, setLanguage } = await import('../src/i18n/index.js');
    const before = getLanguage();
    try {
      setLanguage('sr-Latn');
      expect(seeded('Министарство здравља')).toBe('Ministarstvo zdravlja');
      expect(seeded('Хитна медицинска помоћ (194)')).toBe('Hitna medicinska pomoć (194)');
      expect(seeded('Lokalni centar za mlade')).toBe('Lokalni centar za mlade');
      expect(seeded('Държавна агенция за закрила на детето')).toBe('Държавна агенция за закрила на детето');
      setLanguage('sr-Cyrl');
      expect(seeded('Министарство здравља')).toBe('Министарство здравља');
      setLanguage('bg');
      expect(seeded('Министарство здравља')).toBe('Министарство здравља');
    } finally {
      setLanguage(before);
    }
  });
});
