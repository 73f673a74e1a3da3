// Issue 19 item 3: the sender's address "is kept only as long as transcripts are". The retention
// purge takes an e-mail conversation's mails (the sealed address, subject, Authentication-Results,
// file names) with its transcript, batch by batch; the console's e-mail panel and "show the address"
// then find nothing. A messaging app's sealed address goes with its contact. What is still within
// retention is untouched.
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createStaff, eventually, login, startTestEnv, uid, type LoggedIn, type TestEnv } from '../helpers.js';
import { conversations, visitors } from '../../src/conversations/tables.js';
import { emailMailboxes, emailMessages } from '../../src/channels/email/tables.js';
import { deliveries } from '../../src/channels/tables.js';
import { appContacts } from '../../src/channels/apps/tables.js';
import { startDovecot, type Dovecot } from './email/dovecot.js';
import { rawMail, startSmtpReceiver, type SmtpReceiver } from './email/smtp.js';

const MAILBOX = 'help@centre.test';
const PW = `imap-${uid(8)}`;
let env: TestEnv;
let dovecot: Dovecot;
let smtp: SmtpReceiver;
let supervisor: LoggedIn;
let inboxId: string;

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(MAILBOX, PW);
  smtp = await startSmtpReceiver({ user: 'u', password: 'p' });
  // One conversation per purge transaction, no pause: the e-mail rows must go batch by batch.
  env = await startTestEnv({ EMAIL_POLL_MS: '2000', EMAIL_IDLE_MS: '1500', EMAIL_TIMEOUT_MS: '3000', RETENTION_BATCH_SIZE: '1', RETENTION_PAUSE_RATIO: '0' });
  const s = await createStaff(env.app, 'supervisor');
  supervisor = await login(env.url, s.email, s.password);
  const created = await env.app.channels.email.create('Helpline e-mail', {
    purpose: 'helpline', language: 'en', imapHost: '127.0.0.1', imapPort: dovecot.port, imapTls: false, imapUser: MAILBOX, imapPassword: PW,
    smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpTls: false, smtpUser: 'u', smtpPassword: 'p', fromAddress: MAILBOX, signature: '',
  });
  inboxId = created.inbox.id;
}, 60_000);
afterAll(async () => {
  await env?.close();
  await smtp?.close();
  await dovecot?.close();
});

const db = () => env.app.db;
const rowsOf = (conversationId: string) => db().select().from(emailMessages).where(eq(emailMessages.conversationId, conversationId));

/** A mail from `from` put into the mailbox; its conversation once it is taken, ended unanswered. */
async function mailFrom(from: string): Promise<{ conversationId: string; visitorId: string }> {
  const messageId = `<${uid(10)}@sender.test>`;
  await dovecot.append(
    MAILBOX,
    PW,
    rawMail({ From: from, To: MAILBOX, Subject: `Secret of ${from}`, 'Message-ID': messageId, 'Authentication-Results': 'mx.centre.test; spf=pass smtp.mailfrom=sender.test; dkim=pass; dmarc=pass' }, 'Please help me.'),
  );
  const conversationId = await eventually(async () => (await db().select().from(emailMessages).where(eq(emailMessages.rfcMessageId, messageId)))[0]?.conversationId, 20_000);
  await env.app.conversations.transition(db(), conversationId, ['waiting', 'offered'], { state: 'abandoned', endedAt: new Date() });
  return { conversationId, visitorId: (await env.app.conversations.get(conversationId)).visitorId! };
}

/** As if it had ended `days` ago (its contact came then too). */
async function age(c: { conversationId: string; visitorId: string }, days: number): Promise<void> {
  const then = sql`now() - make_interval(days => ${days})`;
  await db().update(conversations).set({ createdAt: then, enqueuedAt: then, endedAt: then, closedAt: then }).where(eq(conversations.id, c.conversationId));
  await db().update(visitors).set({ createdAt: then }).where(eq(visitors.id, c.visitorId));
}

describe('retention of e-mail', () => {
  it('takes the mails and their sealed addresses with the transcript; what is within retention stays', async () => {
    const old1 = await mailFrom('first.child@example.org');
    const old2 = await mailFrom('second.child@example.org');
    const recent = await mailFrom('recent.child@example.org');
    // A messaging app's contact keeps its sealed address in app_contacts (here on the same visitors).
    for (const c of [old1, recent]) await db().insert(appContacts).values({ visitorId: c.visitorId, inboxId, addressSealed: 'sealed', lastInboundAt: new Date() });
    // An answer the mail server refused, quoting the address.
    const refused = (c: { conversationId: string }, to: string) =>
      db().insert(deliveries).values({ inboxId, conversationId: c.conversationId, kind: 'message.created', dedupeKey: `test:${c.conversationId}`, state: 'failed', attempts: 3, lastError: `550 5.1.1 <${to}>: no such user` });
    await refused(old1, 'first.child@example.org');
    await refused(recent, 'recent.child@example.org');
    const errorsOf = async (c: { conversationId: string }) => (await db().select().from(deliveries).where(eq(deliveries.dedupeKey, `test:${c.conversationId}`))).map((r) => [r.state, r.lastError]);
    await age(old1, 3);
    await age(old2, 2);
    await env.app.settings.set('retention', { transcriptDays: 1, caseRecordDays: 3650, hotlineReportDays: 3650, auditDays: 3650 });

    const before = await api(env.url, supervisor, 'GET', `/api/conversations/${old1.conversationId}/email`);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ subject: 'Secret of first.child@example.org', maskedFrom: 'f•••@e•••.org' });

    const purged = await env.app.retention.purge();
    expect(purged.transcripts).toBe(2);

    // The old conversations' mails are gone: nothing names or reaches the senders any more.
    for (const c of [old1, old2]) {
      expect(await rowsOf(c.conversationId)).toEqual([]);
      const panel = await api(env.url, supervisor, 'GET', `/api/conversations/${c.conversationId}/email`);
      expect(panel.status).toBe(404);
      const reveal = await api(env.url, supervisor, 'POST', `/api/conversations/${c.conversationId}/email/reveal`);
      expect(reveal.status).toBe(404);
      expect(JSON.stringify(reveal.body)).not.toContain('example.org');
    }
    expect(await db().select().from(appContacts).where(eq(appContacts.visitorId, old1.visitorId))).toEqual([]);
    expect(await errorsOf(old1)).toEqual([['failed', null]]);
    expect(await db().select().from(visitors).where(inArray(visitors.id, [old1.visitorId, old2.visitorId]))).toEqual([]);

    // The recent one is whole: its mail, its panel, its address, its app contact.
    expect(await rowsOf(recent.conversationId)).toHaveLength(1);
    const panel = await api(env.url, supervisor, 'GET', `/api/conversations/${recent.conversationId}/email`);
    expect(panel.body).toMatchObject({ subject: 'Secret of recent.child@example.org', maskedFrom: 'r•••@e•••.org', authentication: { spf: 'pass' } });
    const reveal = await api(env.url, supervisor, 'POST', `/api/conversations/${recent.conversationId}/email/reveal`);
    expect(reveal.body).toEqual({ address: 'recent.child@example.org' });
    expect(await db().select().from(appContacts).where(eq(appContacts.visitorId, recent.visitorId))).toHaveLength(1);
    expect(await errorsOf(recent)).toEqual([['failed', '550 5.1.1 <recent.child@example.org>: no such user']]);

    // The mails are still on the mail server: taken again from UID 0 (a new UIDVALIDITY), the purged
    // ones are the same messages as before and do not bring their senders' addresses back.
    await db().update(emailMailboxes).set({ lastUid: 0 }).where(eq(emailMailboxes.inboxId, inboxId));
    await eventually(async () => ((await db().select().from(emailMailboxes).where(eq(emailMailboxes.inboxId, inboxId)))[0]?.lastUid ?? 0) >= 3, 20_000);
    for (const c of [old1, old2]) {
      expect(await rowsOf(c.conversationId)).toEqual([]);
      expect((await api(env.url, supervisor, 'POST', `/api/conversations/${c.conversationId}/email/reveal`)).status).toBe(404);
    }
    expect(await rowsOf(recent.conversationId)).toHaveLength(1);

    // Idempotent: a second run finds nothing more to do.
    expect((await env.app.retention.purge()).transcripts).toBe(0);
    expect(await rowsOf(recent.conversationId)).toHaveLength(1);
  }, 90_000);
});
