import { describe, expect, it } from 'vitest';
import { DEFAULT_RISK_WORDS, findRiskWords, normalise } from './risk.js';

describe('risk words', () => {
  it('match by word prefix in every language, with or without diacritics', () => {
    expect(findRiskWords('I feel suicidal tonight', DEFAULT_RISK_WORDS)).toEqual({ list: 'en' });
    expect(findRiskWords('Мисля за самоубийство', DEFAULT_RISK_WORDS)).toEqual({ list: 'bg' });
    expect(findRiskWords('Размишљам о самоубиству', DEFAULT_RISK_WORDS)).toEqual({ list: 'sr-Cyrl' });
    expect(findRiskWords('razmisljam o samoubistvu', DEFAULT_RISK_WORDS)).toEqual({ list: 'sr-Latn' });
    expect(findRiskWords('Razmišljam o SAMOUBISTVU!', DEFAULT_RISK_WORDS)).toEqual({ list: 'sr-Latn' });
  });
  it('does not match inside other words or ordinary worries', () => {
    expect(findRiskWords('My friend posted a mean comment about me', DEFAULT_RISK_WORDS)).toBeNull();
    expect(findRiskWords('presuicide', { en: ['suicid'] })).toBeNull();
  });
  it('normalises case, accents and punctuation', () => {
    expect(normalise('  Đak, ŠKOLA!  ')).toBe('djak skola');
  });
});
