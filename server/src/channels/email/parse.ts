// One raw mail as what the helpline keeps of it: sanitised text (HTML turned into plain text, links as
// text, nothing remote loaded: mailparser only parses), the names of attachments (never their
// content), images and videos counted as dropped, the threading headers, and whether it is automatic
// mail that must never get an automatic reply.
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';

export interface ParsedEmail {
  messageId: string | null;
  inReplyTo: string[];
  references: string[];
  subject: string | null;
  from: string | null;
  fromName: string | null;
  text: string;
  /** Files listed by name only; images and videos are not listed but dropped. */
  attachments: string[];
  dropped: number;
  automatic: boolean;
  authResults: string | null;
  /** The mail's own language tag (Content-Language), if any. */
  contentLanguage: string | null;
}

const ids = (v: string | string[] | undefined): string[] =>
  (Array.isArray(v) ? v : v ? v.split(/\s+/) : [])
    .map((x) => x.trim())
    .filter((x) => /^<[^<>\s]{1,500}>$/.test(x));

const header = (p: ParsedMail, name: string): string | null => {
  const v = p.headers.get(name);
  if (v === undefined || v === null) return null;
  return typeof v === 'string' ? v : Array.isArray(v) ? v.map(String).join('\n') : typeof v === 'object' && 'value' in v ? String((v as { value: unknown }).value) : String(v);
};

/**
 * RFC 3834 and the headers that bulk and list software sets: Auto-Submitted other than "no",
 * Precedence bulk/list/junk, any List-* header, X-Auto-Response-Suppress. Such mail gets no
 * automatic reply (no loops).
 */
export function isAutomatic(p: Pick<ParsedMail, 'headerLines'>): boolean {
  // The raw header lines: mailparser folds List-* headers into one parsed `list` object.
  const lines = p.headerLines.map((h) => ({ key: h.key.toLowerCase(), value: h.line.slice(h.line.indexOf(':') + 1).trim() }));
  for (const { key, value } of lines) {
    if (key === 'auto-submitted' && value.toLowerCase() !== 'no') return true;
    if (key === 'precedence' && /^(bulk|list|junk|auto_reply)$/i.test(value)) return true;
    if (key.startsWith('list-')) return true;
    if (key === 'x-auto-response-suppress') return true;
  }
  return false;
}

const firstAddress = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a[0] : a)?.value[0];

/** Plain text from HTML without a DOM: tags dropped, links kept as their text and address in brackets. */
function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head)[\s\S]*?<\/\1>/gi, '')
    .replace(/<a\b[^>]*href\s*=\s*["']?([^"' >]+)["']?[^>]*>([\s\S]*?)<\/a>/gi, (_m, href: string, t: string) => `${t} [${href}]`)
    .replace(/<br\s*\/?>|<\/(p|div|li|tr|h[1-6])>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n');
}

export async function parseEmail(raw: Buffer): Promise<ParsedEmail> {
  // skipImageLinks: no data: URLs of inline images in the text; the HTML is never rendered.
  const p = await simpleParser(raw, { skipImageLinks: true, skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true });
  const text = (p.text && p.text.trim() ? p.text : typeof p.html === 'string' ? htmlToText(p.html) : '').trim();
  const attachments: string[] = [];
  let dropped = 0;
  for (const a of p.attachments) {
    if (/^(image|video)\//i.test(a.contentType)) dropped++;
    else attachments.push((a.filename ?? a.contentType).slice(0, 200));
  }
  const from = firstAddress(p.from);
  return {
    messageId: ids(p.messageId)[0] ?? null,
    inReplyTo: ids(p.inReplyTo),
    references: ids(p.references),
    subject: p.subject?.slice(0, 500) ?? null,
    from: from?.address?.toLowerCase() ?? null,
    fromName: from?.name || null,
    text,
    attachments,
    dropped,
    automatic: isAutomatic(p),
    authResults: header(p, 'authentication-results')?.slice(0, 2000) ?? null,
    contentLanguage: header(p, 'content-language'),
  };
}

/** spf=, dkim=, dmarc= of an Authentication-Results header (the receiving server's verdict). */
export function authVerdicts(raw: string | null): { spf: string | null; dkim: string | null; dmarc: string | null } {
  const get = (k: string) => (raw ? (new RegExp(`\\b${k}=([a-z]+)`, 'i').exec(raw)?.[1]?.toLowerCase() ?? null) : null);
  return { spf: get('spf'), dkim: get('dkim'), dmarc: get('dmarc') };
}
