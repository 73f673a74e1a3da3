// A mail longer than the message limit reaches the conversation whole, in parts (nothing a child wrote
// is cut off); a hotline report's description stays one text.
import { describe, expect, it } from 'vitest';
import { LIMITS } from '@helpline/shared';
import { bodyOf, bodyParts } from '../../../src/channels/email/intake.js';
import type { ParsedEmail } from '../../../src/channels/email/parse.js';

const mail = (text: string): ParsedEmail => ({ subject: 'Помощ', text, attachments: [], dropped: 0 }) as unknown as ParsedEmail;

describe('a long mail', () => {
  it('is split into messages within the limit that together hold every word, marked in order', () => {
    const words = Array.from({ length: 2500 }, (_, i) => `дума${i}`);
    const text = words.join(' ');
    const parts = bodyParts(mail(text));
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(LIMITS.messageMaxChars);
    parts.slice(1).forEach((p, i) => expect(p.startsWith(`(${i + 2}/${parts.length}) `)).toBe(true));
    const joined = parts.map((p, i) => (i === 0 ? p : p.replace(/^\(\d+\/\d+\) /, ''))).join(' ');
    expect(joined.split(/\s+/).filter((w) => w.startsWith('дума'))).toEqual(words);
  });

  it('keeps a short mail as one message, and cuts at a line end where one is near', () => {
    expect(bodyParts(mail('Здравейте'))).toEqual(['Помощ\n\nЗдравейте']);
    const lines = Array.from({ length: 200 }, (_, i) => `ред ${i} ${'x'.repeat(40)}`).join('\n');
    const parts = bodyParts(mail(lines));
    expect(parts[0]!.endsWith('x')).toBe(true);
    expect(parts[1]!.replace(/^\(\d+\/\d+\) /, '')).toMatch(/^ред \d+ /);
  });

  it('gives a hotline report one description, shortened with a note', () => {
    const d = bodyOf(mail('a'.repeat(10_000)));
    expect(d.length).toBeLessThanOrEqual(LIMITS.messageMaxChars);
    expect(d).toContain('[shortened: the e-mail had');
  });
});
