// Issue 19: e-mail end to end against real servers. A private Dovecot (IMAP) holds the centre's
// mailbox, mail is put in by IMAP APPEND; an SMTP receiver (smtp-server) takes what the platform
// sends. A counsellor (socket.io-client as the console) is offered the mail and answers; the answer
// reaches the SMTP receiver threaded. Plus: acknowledgement, no auto-reply to automatic mail, HTML and
// files, no mail taken twice, a mail too large, a password that stops working, forged senders.
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDelivery } from '@helpline/shared';
import { api, call, createStaff, eventually, freePort, login, randomUUID, startTestEnv, uid, type LoggedIn, type TestEnv } from '../../helpers.js';
import { counsellor, type Counsellor } from '../../routing/fixtures.js';
import { conversations, messages } from '../../../src/conversations/tables.js';
import { inboundMessages, inboxes } from '../../../src/channels/tables.js';
import { emailMailboxes, emailMessages } from '../../../src/channels/email/tables.js';
import { startDovecot, type Dovecot } from './dovecot.js';
import { multipartMail, rawMail, startSmtpReceiver, type SmtpReceiver } from './smtp.js';

const MAILBOX = 'help@centre.test';
const IMAP_PW = `imap-${uid(8)}`;
const SMTP = { user: 'centre-smtp', password: `smtp-${uid(8)}` };

let env: TestEnv;
let admin: LoggedIn;
let dovecot: Dovecot;
let smtp: SmtpReceiver;
let k: Counsellor;
let inboxId: string;
const deliveriesSeen: MessageDelivery[] = [];

const settings = (over: Record<string, unknown> = {}) => ({
  purpose: 'helpline',
  language: 'bg',
  imapHost: '127.0.0.1',
  imapPort: dovecot.port,
  imapTls: false,
  imapUser: MAILBOX,
  imapPassword: IMAP_PW,
  smtpHost: '127.0.0.1',
  smtpPort: smtp.port,
  smtpTls: false,
  smtpUser: SMTP.user,
  smtpPassword: SMTP.password,
  fromAddress: MAILBOX,
  signature: 'Helpline 124 123',
  ...over,
});

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(MAILBOX, IMAP_PW);
  smtp = await startSmtpReceiver(SMTP);
  // Sessions of 1.5 s every 2 s: new mail comes by IDLE within a session, or by the next one.
  env = await startTestEnv({ EMAIL_POLL_MS: '2000', EMAIL_IDLE_MS: '1500', EMAIL_MAX_BYTES: '100000', EMAIL_TIMEOUT_MS: '3000', DELIVERY_ATTEMPTS: '3', DELIVERY_BACKOFF_MS: '100' });
  const a = await createStaff(env.app, 'admin');
  admin = await login(env.url, a.email, a.password);
  k = await counsellor(env, { capacity: 20 });
  k.socket.on('message:delivery', (d) => deliveriesSeen.push(d));
  // The counsellor takes every e-mail offered (older mails' offers must not hold up later ones).
  k.socket.on('offer:new', (o) => void call(k.socket, 'offer:accept', { offerId: o.offerId }).catch(() => {}));
  const res = await api(env.url, admin, 'POST', '/api/admin/inboxes', { channel: 'email', name: 'Helpline e-mail', email: settings() });
  expect(res.status).toBe(201);
  inboxId = res.body.inbox.id;
}, 60_000);
afterAll(async () => {
  k?.socket.disconnect();
  await env?.close();
  await smtp?.close();
  await dovecot?.close();
});

/** Dovecot gives UIDs 1, 2, 3... in the order mail is appended: the last one appended has UID `appended`. */
let appended = 0;
const send = async (raw: string) => {
  await dovecot.append(MAILBOX, IMAP_PW, raw);
  appended++;
};
const mid = () => `<${uid(10)}@sender.test>`;
const messagesOf = (conversationId: string) => env.app.db.select().from(messages).where(eq(messages.conversationId, conversationId));
const reply = async (conversationId: string, body: string) => {
  const r = await call(k.socket, 'message:send', { conversationId, clientMsgId: randomUUID(), body });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data as { id: string };
};
/** The conversation a mail with this Message-ID went into. */
const conversationOf = (messageId: string) =>
  eventually(async () => (await env.app.db.select().from(emailMessages).where(and(eq(emailMessages.inboxId, inboxId), eq(emailMessages.rfcMessageId, messageId))))[0]?.conversationId, 15_000);

/** The conversation, once the counsellor has it. */
const assigned = (conversationId: string) =>
  eventually(async () => {
    const [c] = await env.app.db.select().from(conversations).where(eq(conversations.id, conversationId));
    return c?.assignedStaffId === k.id && c.state === 'active' ? c : null;
  }, 20_000);

let thread: { conversationId: string; first: string; replyId: string };

describe('e-mail inbox', () => {
  it('keeps the passwords sealed and never shows them back', async () => {
    const list = await api(env.url, admin, 'GET', '/api/admin/inboxes');
    const mine = list.body.inboxes.find((i: any) => i.id === inboxId);
    expect(mine.email).toMatchObject({ imapHost: '127.0.0.1', imapUser: MAILBOX, smtpUser: SMTP.user, fromAddress: MAILBOX, language: 'bg' });
    expect(JSON.stringify(list.body)).not.toContain(IMAP_PW);
    expect(JSON.stringify(list.body)).not.toContain(SMTP.password);
    const [row] = await env.app.db.select().from(inboxes).where(eq(inboxes.id, inboxId));
    expect(JSON.stringify(row)).not.toContain(IMAP_PW);
    expect(JSON.stringify(row)).not.toContain(SMTP.password);
  });

  it('test connection says what failed: IMAP login, SMTP login, DNS, unreachable, TLS', async () => {
    const probe = await api(env.url, admin, 'POST', '/api/admin/inboxes', { channel: 'email', name: 'Probe', email: settings() });
    const id = probe.body.inbox.id;
    expect(probe.body.secret).toBeNull();
    await api(env.url, admin, 'PATCH', `/api/admin/inboxes/${id}`, { enabled: false });
    const test = async (over: Record<string, unknown>) => {
      expect((await api(env.url, admin, 'PATCH', `/api/admin/inboxes/${id}`, { email: over })).status).toBe(200);
      const r = await api(env.url, admin, 'POST', `/api/admin/inboxes/${id}/test-connection`);
      expect(r.status).toBe(200);
      return r.body;
    };
    expect(await test({})).toMatchObject({ imap: { ok: true, error: null }, smtp: { ok: true, error: null } });
    const wrong = await test({ imapPassword: 'wrong', smtpPassword: 'wrong' });
    expect([wrong.imap.error, wrong.smtp.error]).toEqual(['imap_login', 'smtp_login']);
    expect(JSON.stringify(wrong)).not.toContain(IMAP_PW);
    expect((await test({ imapPassword: IMAP_PW, smtpPassword: SMTP.password, imapHost: 'no-such-host.invalid', smtpHost: 'no-such-host.invalid' })).imap.error).toBe('dns');
    const closed = await freePort();
    const down = await test({ imapHost: '127.0.0.1', smtpHost: '127.0.0.1', imapPort: closed, smtpPort: closed });
    expect([down.imap.error, down.smtp.error]).toEqual(['unreachable', 'unreachable']);
    // TLS spoken to servers that speak plain text.
    const tls = await test({ imapPort: dovecot.port, smtpPort: smtp.port, imapTls: true, smtpTls: true });
    expect([tls.imap.error, tls.smtp.error]).toEqual(['tls', 'tls']);
    // Only admins may test.
    const other = await login(env.url, k.email, k.password);
    expect((await api(env.url, other, 'POST', `/api/admin/inboxes/${id}/test-connection`)).status).toBe(403);
  }, 60_000);

  it('a mail becomes a conversation in the queue; the sender gets an acknowledgement; the counsellor\'s answer goes out threaded', async () => {
    const first = mid();
    await send(rawMail({ From: 'Ани <child@example.org>', To: MAILBOX, Subject: 'Помощ', 'Message-ID': first }, 'Някой ме заплашва в интернет.'));
    const conversationId = await conversationOf(first);
    const c = await assigned(conversationId);
    expect([c.channel, c.language]).toEqual(['email', 'bg']);
    expect((await messagesOf(conversationId)).map((m) => m.body).join('\n')).toContain('Някой ме заплашва в интернет.');
    // The address is nowhere in the conversation's rows: only sealed in the mail's row.
    const [em] = await env.app.db.select().from(emailMessages).where(eq(emailMessages.rfcMessageId, first));
    expect(JSON.stringify(em)).not.toContain('child@example.org');

    const ack = await smtp.waitFor((m) => m.header('in-reply-to') === first && m.header('auto-submitted') === 'auto-replied');
    expect(ack.to).toEqual(['child@example.org']);
    expect(ack.mail.text).toMatch(/E-[0-9A-F]{8}/);
    expect(ack.mail.text).toContain('часа');

    const m = await reply(conversationId, 'Добре, че ни писа. Разкажи ми повече.');
    const out = await smtp.waitFor((s) => s.mail.text?.includes('Разкажи ми повече') === true);
    expect(out.to).toEqual(['child@example.org']);
    expect(out.mail.from?.value[0]?.address).toBe(MAILBOX);
    expect(out.mail.subject).toBe('Re: Помощ');
    expect(out.header('in-reply-to')).toBe(first);
    expect(out.header('references')).toContain(first);
    expect(out.mail.text).toContain('Helpline 124 123');
    expect((await eventually(async () => deliveriesSeen.find((d) => d.messageId === m.id && d.state === 'sent'))).attempts).toBe(1);
    thread = { conversationId, first, replyId: out.mail.messageId! };
  }, 60_000);

  it('the sender\'s reply joins the same conversation, without a second acknowledgement', async () => {
    const second = mid();
    const acksBefore = smtp.sent.filter((m) => m.header('auto-submitted')).length;
    await send(rawMail({ From: 'child@example.org', To: MAILBOX, Subject: 'Re: Помощ', 'Message-ID': second, 'In-Reply-To': thread.replyId, References: `${thread.first} ${thread.replyId}` }, 'Той ми пише всяка вечер.'));
    expect(await conversationOf(second)).toBe(thread.conversationId);
    expect((await messagesOf(thread.conversationId)).map((r) => r.body).join('\n')).toContain('Той ми пише всяка вечер.');
    // A later mail that did get an acknowledgement shows the pipeline ran past this one.
    const marker = mid();
    await send(rawMail({ From: `marker-${uid(6)}@example.org`, To: MAILBOX, Subject: 'marker', 'Message-ID': marker }, 'marker'));
    await smtp.waitFor((m) => m.header('in-reply-to') === marker);
    expect(smtp.sent.filter((m) => m.header('auto-submitted') && m.header('in-reply-to') !== marker).length).toBe(acksBefore);
  }, 60_000);

  it('a reply from another address that names the thread joins the same conversation', async () => {
    const id = mid();
    await send(rawMail({ From: 'parent@example.org', To: MAILBOX, Subject: 'Re: Помощ', 'Message-ID': id, 'In-Reply-To': thread.replyId }, 'Аз съм майка ѝ.'));
    expect(await conversationOf(id)).toBe(thread.conversationId);
  }, 60_000);

  it('automatic mail (Auto-Submitted, Precedence, List-*, X-Auto-Response-Suppress) gets no automatic reply', async () => {
    const headers: Record<string, string>[] = [{ 'Auto-Submitted': 'auto-replied' }, { Precedence: 'bulk' }, { 'List-Id': '<news.example.org>' }, { 'X-Auto-Response-Suppress': 'All' }];
    const autos = headers.map((h, i) => ({ id: mid(), h, from: `robot${i}@example.org` }));
    for (const a of autos) await send(rawMail({ From: a.from, To: MAILBOX, Subject: 'Out of office', 'Message-ID': a.id, ...a.h }, 'I am away.'));
    for (const a of autos) await conversationOf(a.id);
    const marker = mid();
    await send(rawMail({ From: `marker-${uid(6)}@example.org`, To: MAILBOX, Subject: 'hello', 'Message-ID': marker }, 'hello'));
    await smtp.waitFor((m) => m.header('in-reply-to') === marker);
    for (const a of autos) expect(smtp.sent.filter((m) => m.to.includes(a.from))).toEqual([]);
  }, 60_000);

  it('HTML becomes plain text with links as text; pictures are dropped and the sender told in their language; other files named only', async () => {
    const id = mid();
    await send(
      multipartMail({ From: 'dete@example.rs', To: MAILBOX, Subject: 'Слике', 'Message-ID': id }, [
        { type: 'text/html', body: '<html><body><p>Неко ми шаље <b>поруке</b>. Види <a href="https://bad.example/x">ово</a></p><img src="https://tracker.example/pixel.png"><script>alert(1)</script></body></html>' },
        { type: 'image/jpeg', body: 'JPEGDATA', filename: 'photo.jpg' },
        { type: 'video/mp4', body: 'MP4DATA', filename: 'clip.mp4' },
        { type: 'application/pdf', body: '%PDF-1.4', filename: 'poruke.pdf' },
      ]),
    );
    const conversationId = await conversationOf(id);
    const [msg] = await env.app.db.select().from(messages).where(and(eq(messages.conversationId, conversationId), eq(messages.clientMsgId, `ext:mid:${id}`)));
    expect(msg!.body).toContain('Неко ми шаље поруке. Види ово [https://bad.example/x]');
    expect(msg!.body).not.toMatch(/<[a-z]|alert|tracker\.example|JPEGDATA|MP4DATA|%PDF/);
    expect(msg!.body).toContain('poruke.pdf');
    expect(msg!.body).not.toContain('photo.jpg');
    const [c] = await env.app.db.select().from(conversations).where(eq(conversations.id, conversationId));
    expect(c!.language).toBe('sr-Cyrl');
    const files = await smtp.waitFor((m) => m.to.includes('dete@example.rs') && (m.mail.text ?? '').includes('датотеке'));
    expect(files.header('auto-submitted')).toBe('auto-replied');
    const [row] = await env.app.db.select().from(emailMessages).where(eq(emailMessages.rfcMessageId, id));
    expect(row).toMatchObject({ attachments: ['poruke.pdf'], dropped: 2 });
  }, 60_000);

  it('no mail is taken twice when the receiver starts over from an older UID (a crash before it advanced)', async () => {
    const id = mid();
    await send(rawMail({ From: 'again@example.org', To: MAILBOX, Subject: 'once', 'Message-ID': id }, 'only once'));
    const conversationId = await conversationOf(id);
    // Mails only: the counsellor's joining adds a system line at its own time.
    const mails = async () => (await messagesOf(conversationId)).filter((m) => m.sender === 'visitor').length;
    const before = await mails();
    const inboundBefore = (await env.app.db.select({ n: count() }).from(inboundMessages).where(eq(inboundMessages.inboxId, inboxId)))[0]!.n;
    const state = async () => (await env.app.db.select().from(emailMailboxes).where(eq(emailMailboxes.inboxId, inboxId)))[0]!;
    const taken = appended;
    // The kept state forgotten (as after a crash before advancing, or a new UIDVALIDITY): a session
    // still running cannot advance it (its UIDVALIDITY no longer matches); the next session starts
    // over from UID 1 and takes every mail again.
    await env.app.db.update(emailMailboxes).set({ lastUid: 0, uidValidity: null }).where(eq(emailMailboxes.inboxId, inboxId));
    await eventually(async () => {
      const st = await state();
      return st.uidValidity !== null && st.lastUid >= taken;
    }, 20_000);
    const total = (await env.app.db.select({ n: count() }).from(inboundMessages).where(eq(inboundMessages.inboxId, inboxId)))[0]!.n;
    const marker = mid();
    await send(rawMail({ From: 'person@example.org', To: MAILBOX, Subject: 'm', 'Message-ID': marker }, 'm'));
    await conversationOf(marker);
    expect(await mails()).toBe(before);
    expect(before).toBe(1);
    expect((await env.app.db.select({ n: count() }).from(inboundMessages).where(eq(inboundMessages.inboxId, inboxId)))[0]!.n).toBe(total + 1);
    expect(inboundBefore).toBe(total);
  }, 60_000);

  it('a mail larger than the limit is refused with a note and nothing of it stored; the next mail still comes', async () => {
    const big = mid();
    await send(rawMail({ From: 'big@example.org', To: MAILBOX, Subject: 'big', 'Message-ID': big }, 'x'.repeat(150_000)));
    const note = await smtp.waitFor((m) => m.to.includes('big@example.org'));
    expect(note.mail.text).toContain('MB');
    expect(note.header('in-reply-to')).toBe(big);
    const next = mid();
    await send(rawMail({ From: 'person@example.org', To: MAILBOX, Subject: 'small', 'Message-ID': next }, 'small'));
    await conversationOf(next);
    expect(await env.app.db.select().from(emailMessages).where(eq(emailMessages.rfcMessageId, big))).toEqual([]);
    expect(await env.app.db.select().from(inboundMessages).where(eq(inboundMessages.externalId, `mid:${big}`))).toEqual([]);
  }, 60_000);

  it('malformed MIME does not stop the mailbox', async () => {
    await send('From: broken@example.org\r\nContent-Type: multipart/mixed; boundary="nope"\r\nMessage-ID: <broken@x>\r\n\r\n--other\r\n\u0000\u0001garbage\r\n');
    await send('this is not a mail at all\r\n');
    const next = mid();
    await send(rawMail({ From: 'person@example.org', To: MAILBOX, Subject: 'after', 'Message-ID': next }, 'after the broken ones'));
    await conversationOf(next);
  }, 60_000);

  it('a forged sender: the receiving server\'s Authentication-Results are shown; the address is masked, revealed only to its counsellor, audited', async () => {
    const id = mid();
    await send(rawMail({ 'Authentication-Results': 'mx.centre.test; spf=fail smtp.mailfrom=bank.example; dkim=none; dmarc=fail header.from=bank.example', From: 'security@bank.example', To: MAILBOX, Subject: 'Verify', 'Message-ID': id }, 'Click here'));
    const offer = { conversation: await assigned(await conversationOf(id)) };
    const who = await login(env.url, k.email, k.password);
    const view = await api(env.url, who, 'GET', `/api/conversations/${offer.conversation.id}/email`);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ subject: 'Verify', maskedFrom: 's•••@b•••.example', authentication: { spf: 'fail', dkim: 'none', dmarc: 'fail' } });
    expect(JSON.stringify(view.body)).not.toContain('security@bank.example');
    const stranger = await createStaff(env.app, 'counsellor');
    const s = await login(env.url, stranger.email, stranger.password);
    expect((await api(env.url, s, 'POST', `/api/conversations/${offer.conversation.id}/email/reveal`)).status).toBe(403);
    const revealed = await api(env.url, who, 'POST', `/api/conversations/${offer.conversation.id}/email/reveal`);
    expect(revealed.body).toEqual({ address: 'security@bank.example' });
    const audit = await env.app.db.execute(`select actor_id, target_id from audit_events where action = 'email.address_revealed'`);
    expect(JSON.stringify(audit)).toContain(offer.conversation.id);
  }, 60_000);

  it('a password that stops working: the admin sees it, nothing is lost, receiving resumes when fixed', async () => {
    dovecot.setUser(MAILBOX, 'changed-by-the-provider');
    const failing = await eventually(async () => {
      const l = await api(env.url, admin, 'GET', '/api/admin/inboxes');
      const mine = l.body.inboxes.find((i: any) => i.id === inboxId);
      return mine.email.receiveError === 'imap_login' ? mine : null;
    }, 15_000);
    expect(failing.email.receiveErrorAt).toBeTruthy();
    const id = mid();
    await dovecot.append(MAILBOX, 'changed-by-the-provider', rawMail({ From: 'waiting@example.org', To: MAILBOX, Subject: 'still there?', 'Message-ID': id }, 'waiting'));
    await api(env.url, admin, 'PATCH', `/api/admin/inboxes/${inboxId}`, { email: { imapPassword: 'changed-by-the-provider' } });
    await conversationOf(id);
    // A session begun with the old password may still fail a moment later (Dovecot delays a wrong
    // login's answer); the next one clears the error.
    await eventually(async () => (await api(env.url, admin, 'GET', '/api/admin/inboxes')).body.inboxes.find((i: any) => i.id === inboxId).email.receiveError === null, 15_000);
  }, 60_000);
});
