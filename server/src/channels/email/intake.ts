// One mail taken from a mailbox: parsed, threaded on its In-Reply-To/References (the mail it answers
// names the contact), received through the seam (channels.inbound), recorded with its Message-ID and
// the sender's sealed address, and answered automatically when it should be: the acknowledgement of
// a thread's first mail, the note that files are not accepted; never to automatic mail.
import { and, desc, eq, inArray, ne } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { LIMITS, matchLanguageTag, type HotlineStatus, type Language } from '@helpline/shared';
import type { Db } from '../../db/client.js';
import { loggableError } from '../../http/errors.js';
import type { ChannelKeys } from '../crypto.js';
import type { Inbound } from '../inbound.js';
import type { OpenInbox } from '../inboxes.js';
import type { EmailNotices } from './notices.js';
import { isAutomatic, parseEmail, type ParsedEmail } from './parse.js';
import { settingsOf } from './settings.js';
import { emailMessages, emailReports } from './tables.js';
import { checkReportedUrl } from '../../hotline/normalize.js';
import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';

/** The hotline feature's intake, as the e-mail channel uses it (its service's `create`, and its record of a feedback mail sent). */
export interface HotlineIntake {
  create(
    input: { urls: string[]; description?: string; email?: string; language?: string },
    origin: { source: 'email'; replyRoute: { inboxId: string; inReplyTo: string | null; subject: string | null } },
  ): Promise<{ id: string; reference: string }>;
  feedbackSent(reportId: string, status: HotlineStatus): Promise<void>;
}

export interface IntakeDeps {
  db: Db;
  /** Late-bound: the hotline service is built after the channels. */
  hotline: () => HotlineIntake | null;
  keys: ChannelKeys;
  inbound: Inbound;
  notices: EmailNotices;
  /** Whether the retention purge has taken this conversation's transcript (the conversations feature's row). */
  purged: (conversationId: string) => Promise<boolean>;
  log: FastifyBaseLogger;
}

/** The mail's language: its Content-Language, else its script (Serbian or Bulgarian Cyrillic), else the mailbox's. */
export function languageOf(p: Pick<ParsedEmail, 'contentLanguage' | 'text' | 'subject'>, fallback: Language): Language {
  const tagged = matchLanguageTag(p.contentLanguage?.split(',')[0]?.trim());
  if (tagged) return tagged;
  const t = `${p.subject ?? ''} ${p.text}`.slice(0, 4000);
  if (/[ђјљњћџЂЈЉЊЋЏ]/.test(t)) return 'sr-Cyrl';
  if (/[ъщЪЩ]/.test(t)) return 'bg';
  return fallback;
}

function wholeBody(p: ParsedEmail): string {
  const parts = [p.subject ? `${p.subject}\n\n` : '', p.text];
  if (p.attachments.length) parts.push(`\n\n[${p.attachments.length} file(s) not accepted: ${p.attachments.join(', ')}]`);
  if (p.dropped) parts.push(`\n\n[${p.dropped} picture(s)/video(s) dropped, not stored]`);
  return parts.join('').trim() || '(empty e-mail)';
}

/** What a hotline report takes of the mail as its description (one text, shortened if need be). */
export function bodyOf(p: ParsedEmail): string {
  const body = wholeBody(p);
  return body.length > LIMITS.messageMaxChars ? `${body.slice(0, LIMITS.messageMaxChars - 60)}\n\n[shortened: the e-mail had ${body.length} characters]` : body;
}

/**
 * What the conversation shows of the mail: its subject, its text, the files named (never kept), in
 * as many messages as the message limit needs (nothing a child wrote is cut off), split at a line
 * or a space where one is near, each after the first marked "(2/3)".
 */
export function bodyParts(p: ParsedEmail, limit = LIMITS.messageMaxChars): string[] {
  const body = wholeBody(p);
  if (body.length <= limit) return [body];
  const room = limit - 12; // the "(i/n) " mark
  const chunks: string[] = [];
  let rest = body;
  while (rest.length > room) {
    let cut = rest.lastIndexOf('\n', room);
    if (cut < room * 0.6) cut = rest.lastIndexOf(' ', room);
    if (cut < room * 0.6) cut = room;
    chunks.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest) chunks.push(rest);
  return chunks.map((c, i) => (i === 0 ? c : `(${i + 1}/${chunks.length}) ${c}`));
}

/** The addresses a mail names (http, https, www.), in order: the hotline normalises and de-duplicates them as the web form's. */
export function urlsIn(text: string): string[] {
  const found = text.match(/\b(?:https?:\/\/|www\.)[^\s<>"'\[\]]+/gi) ?? [];
  return found.map((u) => u.replace(/[.,;:!?)]+$/, '')).map((u) => (/^www\./i.test(u) ? `http://${u}` : u)).filter((u) => checkReportedUrl(u).ok).slice(0, 50);
}

export function createIntake(d: IntakeDeps) {
  const { db } = d;

  /** A hotline mailbox's mail that names addresses is a report (once: by its external id); one that names none goes to the queue. */
  async function takeReport(inbox: OpenInbox, p: ParsedEmail, at: { uidValidity: number; uid: number }): Promise<boolean> {
    const hotline = d.hotline();
    const urls = urlsIn(`${p.subject ?? ''}\n${p.text}`);
    if (!hotline || urls.length === 0) return false;
    const externalId = p.messageId ? `mid:${p.messageId}`.slice(0, 200) : `uid:${at.uidValidity}:${at.uid}`;
    const [claim] = await db.insert(emailReports).values({ inboxId: inbox.id, externalId }).onConflictDoNothing().returning({ id: emailReports.id });
    if (!claim) return true;
    try {
      const r = await hotline.create({ urls, description: bodyOf(p), email: p.from ?? undefined, language: languageOf(p, settingsOf(inbox.config).language) }, {
        source: 'email',
        // The feedback goes back through this mailbox, as a reply to her mail (hotline-feedback.ts).
        replyRoute: { inboxId: inbox.id, inReplyTo: p.messageId, subject: p.subject },
      });
      await db.update(emailReports).set({ reportId: r.id }).where(eq(emailReports.id, claim.id));
    } catch (err) {
      await db.delete(emailReports).where(eq(emailReports.id, claim.id));
      throw err;
    }
    return true;
  }

  return {
    async take(inbox: OpenInbox, raw: Buffer, at: { uidValidity: number; uid: number }): Promise<void> {
      let p: ParsedEmail;
      try {
        p = await parseEmail(raw);
      } catch (err) {
        d.log.warn({ inboxId: inbox.id, uid: at.uid, err: loggableError(err) }, 'unreadable e-mail skipped');
        return;
      }
      if (!p.from) {
        d.log.warn({ inboxId: inbox.id, uid: at.uid }, 'e-mail without a sender skipped');
        return;
      }
      const s = settingsOf(inbox.config);
      if (s.purpose === 'hotline' && (await takeReport(inbox, p, at))) return;
      const rfcMessageId = p.messageId ?? `<uid.${at.uidValidity}.${at.uid}.${inbox.id}@mailbox.invalid>`;
      const externalId = p.messageId ? `mid:${p.messageId}`.slice(0, 200) : `uid:${at.uidValidity}:${at.uid}`;
      // A reply names the mail it answers: its correspondent is the contact (the same conversation),
      // whichever address the reply came from.
      const refs = [...p.inReplyTo, ...p.references].slice(0, 50);
      const [answered] = refs.length
        ? await db
            .select({ address: emailMessages.addressSealed })
            .from(emailMessages)
            .where(and(eq(emailMessages.inboxId, inbox.id), inArray(emailMessages.rfcMessageId, refs)))
            .orderBy(desc(emailMessages.createdAt))
            .limit(1)
        : [];
      const contact = answered ? d.keys.open(answered.address) : p.from;
      const language = languageOf(p, s.language);
      const [first, ...more] = bodyParts(p);
      const res = await d.inbound.receive(inbox, { externalUserId: contact, externalMessageId: externalId, text: first!, language });
      // A mail taken again (a new UIDVALIDITY starts over from UID 0) after its transcript was purged:
      // its sender's address must not come back with it.
      if (res.duplicate && (await d.purged(res.conversationId))) return;
      // A long mail's further parts, each its own message by its own external id (taken again: the same).
      for (const [i, text] of more.entries()) {
        await d.inbound.receive(inbox, { externalUserId: contact, externalMessageId: `${externalId}#${i + 2}`.slice(0, 220), text, language });
      }
      const addressSealed = d.keys.seal(p.from);
      await db
        .insert(emailMessages)
        .values({
          inboxId: inbox.id,
          conversationId: res.conversationId,
          messageId: res.messageId,
          rfcMessageId,
          direction: 'in',
          subject: p.subject,
          addressSealed,
          authResults: p.authResults,
          attachments: p.attachments,
          dropped: p.dropped,
        })
        .onConflictDoNothing();
      if (p.automatic) return;
      const earlier = await db
        .select({ id: emailMessages.id })
        .from(emailMessages)
        .where(and(eq(emailMessages.conversationId, res.conversationId), eq(emailMessages.direction, 'in'), ne(emailMessages.rfcMessageId, rfcMessageId)))
        .limit(1);
      const base = { inboxId: inbox.id, toSealed: addressSealed, inReplyTo: rfcMessageId, subject: p.subject, language, conversationId: res.conversationId };
      if (earlier.length === 0) await d.notices.queue({ ...base, kind: 'ack' }, `ack-${res.messageId}`);
      if (p.dropped > 0) await d.notices.queue({ ...base, kind: 'files' }, `files-${res.messageId}`);
    },

    /** Larger than EMAIL_MAX_BYTES: nothing of it is stored; its sender (unless automatic) is told. */
    async refuseTooLarge(inbox: OpenInbox, headers: Buffer, size: number): Promise<void> {
      const p = await simpleParser(Buffer.concat([headers, Buffer.from('\r\n')])).catch(() => null);
      const from = p?.from?.value[0]?.address?.toLowerCase();
      d.log.warn({ inboxId: inbox.id, size }, 'e-mail too large refused');
      if (!p || !from || isAutomatic(p)) return;
      const messageId = typeof p.messageId === 'string' ? p.messageId : null;
      const s = settingsOf(inbox.config);
      await d.notices.queue(
        { inboxId: inbox.id, kind: 'too_large', toSealed: d.keys.seal(from), inReplyTo: messageId, subject: p.subject ?? null, language: s.language, conversationId: null },
        `too_large-${createHash('sha256').update(`${inbox.id}\u0000${messageId ?? `${from}\u0000${size}`}`).digest('hex')}`,
      );
    },
  };
}
export type EmailIntake = ReturnType<typeof createIntake>;
