// Issue 19 item 8: a burst of mail is taken in order (UID batches, one message at a time), each once,
// and a contact's erasure takes the mails' sealed addresses with the transcript.
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, eventually, startTestEnv, uid, type TestEnv } from '../../helpers.js';
import { messages } from '../../../src/conversations/tables.js';
import { emailMessages } from '../../../src/channels/email/tables.js';
import { ImapFlow } from 'imapflow';
import { startDovecot, type Dovecot } from './dovecot.js';
import { rawMail, startSmtpReceiver, type SmtpReceiver } from './smtp.js';

const MAILBOX = 'burst@centre.test';
const PW = `imap-${uid(8)}`;
const N = 300;
let env: TestEnv;
let dovecot: Dovecot;
let smtp: SmtpReceiver;

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(MAILBOX, PW);
  smtp = await startSmtpReceiver({ user: 'u', password: 'p' });
  // The whole burst is in the mailbox before the inbox exists.
  const c = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: MAILBOX, pass: PW }, logger: false });
  await c.connect();
  for (let i = 0; i < N; i++) await c.append('INBOX', rawMail({ From: 'many@example.org', To: MAILBOX, Subject: `n${i}`, 'Message-ID': `<burst-${i}@example.org>` }, `mail number ${i}`));
  await c.logout();
  env = await startTestEnv({ EMAIL_POLL_MS: '2000', EMAIL_IDLE_MS: '1500', EMAIL_TIMEOUT_MS: '3000' });
}, 120_000);
afterAll(async () => {
  await env?.close();
  await smtp?.close();
  await dovecot?.close();
});

describe('a burst of mail', () => {
  it(`${N} mails are taken once each, in order; erasure removes their addresses`, async () => {
    const inbox = await env.app.channels.email.create('Burst', {
      purpose: 'helpline', language: 'en', imapHost: '127.0.0.1', imapPort: dovecot.port, imapTls: false, imapUser: MAILBOX, imapPassword: PW,
      smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpTls: false, smtpUser: 'u', smtpPassword: 'p', fromAddress: MAILBOX, signature: '',
    });
    const rows = await eventually(async () => {
      const r = await env.app.db.select().from(emailMessages).where(eq(emailMessages.inboxId, inbox.inbox.id));
      return r.length >= N ? r : null;
    }, 90_000, 500);
    expect(rows).toHaveLength(N);
    const conversationId = rows[0]!.conversationId;
    expect(new Set(rows.map((r) => r.conversationId))).toEqual(new Set([conversationId]));
    const bodies = (await env.app.db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.seq))).filter((m) => m.sender === 'visitor').map((m) => m.body);
    expect(bodies).toEqual(Array.from({ length: N }, (_, i) => `n${i}\n\nmail number ${i}`));
    // One acknowledgement for the thread, not one per mail.
    await smtp.waitFor((m) => m.to.includes('many@example.org'));

    const admin = await createStaff(env.app, 'admin');
    // Nobody answered: the conversation is abandoned, then the contact erased.
    await env.app.conversations.transition(env.app.db, conversationId, ['waiting', 'offered'], { state: 'abandoned', endedAt: new Date() });
    const visitorId = (await env.app.conversations.get(conversationId)).visitorId!;
    await env.app.retention.eraseVisitor(visitorId, { staffId: admin.profile.id });
    expect(await env.app.db.select().from(emailMessages).where(eq(emailMessages.conversationId, conversationId))).toEqual([]);
    expect(smtp.sent.filter((m) => m.to.includes('many@example.org'))).toHaveLength(1);
  }, 150_000);
});
