// Small pure helpers of the workspace (no DOM).
import type { ChatMessage } from '@helpline/shared';

const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;

/** http(s) URLs the visitor sent, in order, without duplicates and trailing punctuation. */
export function extractVisitorUrls(messages: readonly ChatMessage[]): string[] {
  const out: string[] = [];
  for (const m of messages) {
    if (m.sender !== 'visitor') continue;
    for (const raw of m.body.match(URL_RE) ?? []) {
      const url = raw.replace(/[.,;:!?)\]}»”’]+$/u, '');
      if (!out.includes(url)) out.push(url);
    }
  }
  return out;
}

export function timeOf(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

export function secondsUntil(iso: string | null, now: number): number {
  if (!iso) return 0;
  return Math.max(0, Math.ceil((new Date(iso).getTime() - now) / 1000));
}

/** The "/word" being typed at the end of the composer, if any. */
export function slashQuery(text: string): string | null {
  const m = /(?:^|\s)\/([\p{L}\p{N}_-]*)$/u.exec(text);
  return m ? m[1]! : null;
}

export function replaceSlashQuery(text: string, insert: string): string {
  return text.replace(/(^|\s)\/[\p{L}\p{N}_-]*$/u, (_m, pre: string) => pre + insert);
}
