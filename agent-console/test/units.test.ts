// Pure pieces of the console (translations: i18n.test.ts): URL extraction for hotline reports, the "/" query.
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '@helpline/shared';
import { extractVisitorUrls, replaceSlashQuery, slashQuery } from '../src/counsellor/text.js';
import { filterCanned } from '../src/counsellor/canned.js';
import { matchesSearch } from '../src/components/search.js';
import { contiguousSeq } from '../src/counsellor/store.js';

const msg = (sender: ChatMessage['sender'], body: string, seq: number): ChatMessage => ({
  id: String(seq),
  conversationId: 'c',
  seq,
  clientMsgId: String(seq),
  sender,
  body,
  createdAt: new Date(0).toISOString(),
});

describe('a chat\'s history', () => {
  it('is fetched after the last message before a hole, not after the last one held', () => {
    expect(contiguousSeq([msg('visitor', 'a', 1), msg('counsellor', 'b', 2)])).toBe(2);
    expect(contiguousSeq([msg('visitor', 'a', 1), msg('visitor', 'c', 3), msg('counsellor', 'd', 4)])).toBe(1);
    expect(contiguousSeq([])).toBe(0);
  });
});

describe('hotline URLs from a conversation', () => {
  it('takes http(s) links from the visitor only, once each, without trailing punctuation', () => {
    const urls = extractVisitorUrls([
      msg('visitor', 'look at https://bad.example/a?x=1, and http://other.example/b.', 1),
      msg('counsellor', 'never mine: https://helpline.example/help', 2),
      msg('visitor', 'again https://bad.example/a?x=1 (see) ftp://no.example javascript:alert(1)', 3),
    ]);
    expect(urls).toEqual(['https://bad.example/a?x=1', 'http://other.example/b']);
  });
});

describe('canned response shortcut', () => {
  it('finds the "/word" being typed and replaces it', () => {
    expect(slashQuery('/he')).toBe('he');
    expect(slashQuery('hello /sa')).toBe('sa');
    expect(slashQuery('a/b')).toBeNull();
    expect(slashQuery('no slash')).toBeNull();
    expect(replaceSlashQuery('Hi /he', 'Hello there')).toBe('Hi Hello there');
  });
  it('filters by shortcut first, then by title', () => {
    const list = [
      { id: '1', language: 'en' as const, shortcut: 'safe', title: 'Are you safe?', body: '', updatedAt: '' },
      { id: '2', language: 'en' as const, shortcut: 'bye', title: 'Closing safely', body: '', updatedAt: '' },
    ];
    expect(filterCanned(list, 'saf').map((c) => c.id)).toEqual(['1', '2']);
    expect(filterCanned(list, 'by').map((c) => c.id)).toEqual(['2']);
  });
});

describe('search in the console', () => {
  it('finds a name in either Serbian script, with or without diacritics', () => {
    expect(matchesSearch('Petar', 'Петар Петровић')).toBe(true);
    expect(matchesSearch('petrovic', 'Петар Петровић')).toBe(true);
    expect(matchesSearch('Петар', 'Petar Petrović')).toBe(true);
    expect(matchesSearch('Đorđe', 'Ђорђе')).toBe(true);
    expect(matchesSearch('Petar Jovan', 'Петар Петровић')).toBe(false);
    expect(matchesSearch('Marko', 'Петар Петровић', 'petar@centre.test')).toBe(false);
    expect(matchesSearch('', 'anything')).toBe(true);
  });
  it('finds a canned response by a title in the other script', () => {
    const list = [
      { id: '1', language: 'sr-Cyrl', shortcut: 'hello', title: 'Поздрав', body: 'Здраво' },
      { id: '2', language: 'sr-Cyrl', shortcut: 'bye', title: 'Крај', body: 'Хвала' },
    ] as const;
    expect(filterCanned(list.map((c) => ({ ...c })), 'pozdrav').map((c) => c.id)).toEqual(['1']);
  });
});
