// Risk words and canned responses exist for every language out of the box, and Serbian says the same in
// both scripts: each Cyrillic risk word, written in Latin (with or without diacritics), is caught by the
// Latin list; the Latin canned responses are the Cyrillic ones transliterated.
import { describe, expect, it } from 'vitest';
import { LANGUAGES, cyrillicToLatin, toSerbianLatin } from '@helpline/shared';
import { DEFAULT_RISK_WORDS, findRiskWords } from '../../src/routing/risk.js';
import { DEFAULT_CANNED } from '../../src/canned/defaults.js';

const ascii = (s: string) => s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'dj');

describe('default risk words', () => {
  it('exist for every language', () => {
    for (const l of LANGUAGES) expect(DEFAULT_RISK_WORDS[l]?.length ?? 0).toBeGreaterThan(5);
  });
  it('catch each Serbian Cyrillic risk word written in Latin, with and without diacritics', () => {
    const latinOnly = { 'sr-Latn': DEFAULT_RISK_WORDS['sr-Latn']! };
    const missed = DEFAULT_RISK_WORDS['sr-Cyrl']!.flatMap((w) => [cyrillicToLatin(w), ascii(cyrillicToLatin(w))]).filter((w) => !findRiskWords(`ja ${w} sad`, latinOnly));
    expect(missed).toEqual([]);
  });
});

describe('default canned responses', () => {
  it('exist for every language with the same shortcuts', () => {
    const shortcuts = DEFAULT_CANNED.en.map((c) => c.shortcut);
    for (const l of LANGUAGES) expect(DEFAULT_CANNED[l].map((c) => c.shortcut)).toEqual(shortcuts);
  });
  it('are in Serbian Latin exactly the Cyrillic ones transliterated', () => {
    expect(DEFAULT_CANNED['sr-Latn']).toEqual(DEFAULT_CANNED['sr-Cyrl'].map((c) => ({ ...c, title: toSerbianLatin(c.title), body: toSerbianLatin(c.body) })));
    expect(DEFAULT_CANNED['sr-Latn'][0]!.body).toContain('saslušam');
  });
});
