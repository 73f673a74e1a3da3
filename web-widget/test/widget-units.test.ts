// The widget's pure parts: dictionaries complete, language picking, transcript merging (no loss, no
// duplicate), delivery states, brand colour contrast, exit URL safety.
import { describe, expect, it } from 'vitest';
import { LANGUAGES, type ChatMessage, type VisitorConversation } from '@helpline/shared';
import { DICTS, matchLanguage, pickLanguage, translate } from '../src/app/i18n/index.js';
import { en } from '../src/app/i18n/en.js';
import { contiguousSeq, mergeMessages, pendingOnly, transcript, type OutboxItem } from '../src/app/messages.js';
import { contrast, themeColors } from '../src/app/theme.js';
import { isBridgeMessage, safeExitUrl } from '../src/bridge.js';

const msg = (seq: number, over: Partial<ChatMessage> = {}): ChatMessage => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  clientMsgId: `cm${seq}`,
  sender: 'visitor',
  body: `body ${seq}`,
  createdAt: new Date(0).toISOString(),
  ...over,
});
const conv = (over: Partial<VisitorConversation> = {}): VisitorConversation => ({
  id: 'c1',
  state: 'active',
  language: null,
  topic: null,
  queuePosition: null,
  estimatedWaitSeconds: null,
  counsellorName: 'Ana',
  lastSeq: 0,
  readSeq: 0,
  createdAt: new Date(0).toISOString(),
  ...over,
});

describe('dictionaries', () => {
  it('every language has every key, non-empty, with the same placeholders', () => {
    const keys = Object.keys(en).sort();
    for (const l of LANGUAGES) {
      const d = DICTS[l];
      expect(Object.keys(d).sort(), l).toEqual(keys);
      for (const k of keys) {
        const v = d[k as keyof typeof en];
        expect(v.trim().length, `${l}.${k}`).toBeGreaterThan(0);
        const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
        expect(ph(v), `${l}.${k}`).toEqual(ph(en[k as keyof typeof en]));
      }
    }
  });
  it('Serbian Latin has no Cyrillic and Serbian Cyrillic no Latin words', () => {
    expect(Object.values(DICTS['sr-Latn']).join(' ')).not.toMatch(/[\u0400-\u04FF]/);
    expect(Object.values(DICTS['sr-Cyrl']).join(' ').replace(/\bEsc\b|\{\w+\}/g, '')).not.toMatch(/[A-Za-z]{3,}/);
  });
  it('fills placeholders', () => {
    expect(translate('bg', 'queuePosition', { n: 3 })).toBe('Ти си номер 3 на опашката.');
    expect(translate('en', 'sys_counsellor_joined', { name: 'Ana' })).toBe('Ana joined the chat.');
  });
});

describe('language picking', () => {
  it('maps tags from pages and browsers', () => {
    expect(matchLanguage('bg-BG')).toBe('bg');
    expect(matchLanguage('sr')).toBe('sr-Cyrl');
    expect(matchLanguage('sr-RS')).toBe('sr-Cyrl');
    expect(matchLanguage('sr-Latn-RS')).toBe('sr-Latn');
    expect(matchLanguage('sr_latn')).toBe('sr-Latn');
    expect(matchLanguage('EN-gb')).toBe('en');
    expect(matchLanguage('de')).toBeNull();
    expect(matchLanguage('')).toBeNull();
  });
  it('takes the first supported hint the centre offers, else its default', () => {
    expect(pickLanguage([null, 'de', 'sr-Latn', 'en'], LANGUAGES, 'bg')).toBe('sr-Latn');
    expect(pickLanguage(['en'], ['bg', 'sr-Cyrl'], 'bg')).toBe('bg');
    expect(pickLanguage(['fr'], ['en'], 'bg')).toBe('en');
  });
});

describe('transcript', () => {
  it('merges by seq and clientMsgId: order kept, duplicates dropped', () => {
    const a = mergeMessages([msg(1), msg(3)], [msg(2), msg(3), msg(1)]);
    expect(a.map((m) => m.seq)).toEqual([1, 2, 3]);
    // The same message with a different seq (cannot happen on a sane server) is still shown once.
    expect(mergeMessages([msg(1)], [msg(5, { clientMsgId: 'cm1' })])).toHaveLength(1);
  });
  it('resumes after the last message before a hole, not after the last one held', () => {
    expect(contiguousSeq([])).toBe(0);
    expect(contiguousSeq([msg(1), msg(2), msg(3)])).toBe(3);
    // Message 3 was missed live while 4 and 5 arrived: the resume must ask for everything after 2.
    expect(contiguousSeq([msg(1), msg(2), msg(4), msg(5)])).toBe(2);
    expect(contiguousSeq([msg(2), msg(3)])).toBe(0);
  });
  it('shows outbox items after the stored messages until the server has them', () => {
    const outbox: OutboxItem[] = [
      { clientMsgId: 'cm2', conversationId: 'c1', body: 'body 2', createdAt: '' },
      { clientMsgId: 'x', conversationId: 'c1', body: 'queued', createdAt: '' },
      { clientMsgId: 'y', conversationId: 'other', body: 'old chat', createdAt: '' },
    ];
    const messages = [msg(1), msg(2, { clientMsgId: 'cm2' }), msg(3, { sender: 'counsellor', clientMsgId: 'k' })];
    expect(pendingOnly(outbox, messages).map((o) => o.clientMsgId)).toEqual(['x', 'y']);
    const lines = transcript(conv({ readSeq: 1 }), messages, outbox, 'x');
    expect(lines.map((l) => [l.body, l.delivery])).toEqual([
      ['body 1', 'read'],
      ['body 2', 'delivered'],
      ['body 3', null],
      ['queued', 'sending'],
    ]);
  });
});

describe('brand colour and bridge', () => {
  it('keeps text on the brand colour at AA contrast', () => {
    for (const c of ['#1f5fa8', '#ffe000', '#777777', '#00ff00', 'red', '#abc']) {
      const { bg, fg } = themeColors(c);
      expect(contrast(bg, fg), c).toBeGreaterThanOrEqual(4.5);
    }
  });
  it('only lets http(s) exit URLs through and recognises its own messages', () => {
    expect(safeExitUrl('https://www.google.com/')).toBe('https://www.google.com/');
    expect(safeExitUrl('javascript:alert(1)', 'https://x.test/')).toBe('https://x.test/');
    expect(safeExitUrl('data:text/html,hi', 'https://x.test/')).toBe('https://x.test/');
    expect(safeExitUrl('not a url', 'https://x.test/')).toBe('https://x.test/');
    expect(isBridgeMessage({ tag: 'helpline-widget', type: 'exit' })).toBe(true);
    expect(isBridgeMessage({ tag: 'other', type: 'exit' })).toBe(false);
    expect(isBridgeMessage('helpline-widget')).toBe(false);
  });
});
