import { describe, expect, it } from 'vitest';
import { cyrillicToLatin, latinDictionary, searchFold, toSerbianLatin } from '../src/serbian.js';
import { matchAcceptLanguage, matchLanguageTag } from '../src/language-tags.js';

describe('Serbian Cyrillic to Latin', () => {
  it('maps all thirty letters, digraphs included', () => {
    expect(cyrillicToLatin('абвгдђежзијклљмнњопрстћуфхцчџш')).toBe('abvgdđežzijklljmnnjoprstćufhcčdžš');
    expect(cyrillicToLatin('АБВГДЂЕЖЗИЈКЛЉМНЊОПРСТЋУФХЦЧЏШ')).toBe('ABVGDĐEŽZIJKLLJMNNJOPRSTĆUFHCČDŽŠ');
  });
  it('writes a capital digraph in title case inside a word and in capitals inside a capital word', () => {
    expect(cyrillicToLatin('Љубав, Њива, Џеп')).toBe('Ljubav, Njiva, Džep');
    expect(cyrillicToLatin('ЉУБАВ ЊИВА ЏЕП')).toBe('LJUBAV NJIVA DŽEP');
    expect(cyrillicToLatin('ПОЗОВИ ЏЕ')).toBe('POZOVI DŽE');
  });
  it('leaves Latin, digits, placeholders and punctuation untouched', () => {
    expect(cyrillicToLatin('Позови {phone} (24/7), https://example.org/ћ')).toBe('Pozovi {phone} (24/7), https://example.org/ć');
  });
  it('applies overrides before transliterating, longest first', () => {
    const o = { Фејсбук: 'Facebook', 'Фејсбук страница': 'Facebook stranica (FB)' };
    expect(toSerbianLatin('Пиши нам на Фејсбук или Фејсбук страница', o)).toBe('Piši nam na Facebook ili Facebook stranica (FB)');
    expect(latinDictionary({ a: 'Здраво', b: 'Фејсбук' }, o)).toEqual({ a: 'Zdravo', b: 'Facebook' });
  });
});

describe('search in either script', () => {
  it('folds a name written in Cyrillic, Latin, ASCII Latin or capitals to one key', () => {
    for (const s of ['Петар', 'Petar', 'PETAR', 'петар']) expect(searchFold(s)).toBe('petar');
    for (const s of ['Ђорђе', 'Đorđe', 'Djordje', 'Dorde']) expect(searchFold(s)).toBe('dorde');
    for (const s of ['Шћепановић', 'Šćepanović', 'Scepanovic']) expect(searchFold(s)).toBe('scepanovic');
  });
  it('keeps different words apart', () => {
    expect(searchFold('Петар')).not.toBe(searchFold('Петра'));
  });
});

describe('language tags', () => {
  it('reads Serbian without a script as Cyrillic, with Latn or as sh as Latin', () => {
    expect(matchLanguageTag('sr')).toBe('sr-Cyrl');
    expect(matchLanguageTag('sr-RS')).toBe('sr-Cyrl');
    expect(matchLanguageTag('sr-Latn-RS')).toBe('sr-Latn');
    expect(matchLanguageTag('sh')).toBe('sr-Latn');
    expect(matchLanguageTag('bg-BG')).toBe('bg');
    expect(matchLanguageTag('de')).toBeNull();
  });
  it('takes the most preferred language of an Accept-Language header that is offered', () => {
    expect(matchAcceptLanguage('de-DE,sr-Latn;q=0.8,en;q=0.9')).toBe('en');
    expect(matchAcceptLanguage('de-DE,sr-Latn;q=0.8,en;q=0.9', ['bg', 'sr-Latn'])).toBe('sr-Latn');
    expect(matchAcceptLanguage('fr;q=1, en;q=0')).toBeNull();
    expect(matchAcceptLanguage(undefined)).toBeNull();
  });
});
