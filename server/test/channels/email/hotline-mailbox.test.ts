// Issue 19 item 5: the hotline's mailbox. A mail to it that names addresses becomes a hotline report
// through the hotline's service (URLs normalised and de-duplicated as the web form's, the text as the
// description, the sender as the reporter's contact, shown by the hotline's own rules), once
// however often it is taken; an analyst's action sends the feedback mail back through the mailbox
// (its SMTP, its address and signature, a reply to her mail, in her language), with no hotline
// mailer configured at all (SMTP_URL unset). A web-form report keeps the hotline's mailer.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createStaff, eventually, login, startTestEnv, uid, type LoggedIn, type TestEnv } from '../../helpers.js';
import { hotlineReports, hotlineUrls } from '../../../src/hotline/tables.js';
import { emailMailboxes, emailReports } from '../../../src/channels/email/tables.js';
import { startDovecot, type Dovecot } from './dovecot.js';
import { rawMail, startSmtpReceiver, type SmtpReceiver } from './smtp.js';

const MAILBOX = 'report@hotline.test';
const PW = `imap-${uid(8)}`;
const SMTP = { user: 'hotline-smtp', password: `smtp-${uid(8)}` };
let env: TestEnv;
let admin: LoggedIn;
let analyst: LoggedIn;
let dovecot: Dovecot;
let smtp: SmtpReceiver;
let inboxId: string;
let mailer: SmtpReceiver;
const SIGNATURE = 'Линија за пријаву садржаја — hotline.test';

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(MAILBOX, PW);
  smtp = await startSmtpReceiver(SMTP);
  // Another receiver stands for the hotline's own mailer (SMTP_URL): unset here, set for the web form below.
  mailer = await startSmtpReceiver({ user: 'unused', password: uid(8) });
  env = await startTestEnv({ EMAIL_POLL_MS: '2000', EMAIL_IDLE_MS: '1500', EMAIL_TIMEOUT_MS: '3000', DELIVERY_BACKOFF_MS: '200' });
  const a = await createStaff(env.app, 'admin');
  admin = await login(env.url, a.email, a.password);
  const an = await createStaff(env.app, 'analyst');
  analyst = await login(env.url, an.email, an.password);
  const res = await api(env.url, admin, 'POST', '/api/admin/inboxes', {
    channel: 'email',
    name: 'Hotline mail',
    email: { purpose: 'hotline', language: 'bg', imapHost: '127.0.0.1', imapPort: dovecot.port, imapTls: false, imapUser: MAILBOX, imapPassword: PW, smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpTls: false, smtpUser: SMTP.user, smtpPassword: SMTP.password, fromAddress: MAILBOX, signature: SIGNATURE },
  });
  expect(res.status).toBe(201);
  inboxId = res.body.inbox.id;
}, 60_000);
afterAll(async () => {
  await env?.close();
  await smtp?.close();
  await mailer?.close();
  await dovecot?.close();
});

describe('the hotline mailbox', () => {
  it('a mail naming addresses is one report; an analyst\'s action sends the feedback mail', async () => {
    const id = `<${uid(10)}@reporter.test>`;
    await dovecot.append(
      MAILBOX,
      PW,
      rawMail(
        { From: 'gradjanin@example.rs', To: MAILBOX, Subject: 'Пријава', 'Message-ID': id },
        'Нашао сам ово: HTTPS://Bad-Host.example:443/gallery/42?utm_source=x и опет https://bad-host.example/gallery/42.\nИ www.other.example/page, погледајте.',
      ),
    );
    const claim = await eventually(async () => (await env.app.db.select().from(emailReports).where(eq(emailReports.inboxId, inboxId)))[0]?.reportId, 20_000);
    const [report] = await env.app.db.select().from(hotlineReports).where(eq(hotlineReports.id, claim));
    expect(report).toMatchObject({ source: 'email', reporterEmail: 'gradjanin@example.rs', language: 'sr-Cyrl' });
    expect(report!.description).toContain('Нашао сам ово');
    const urls = await env.app.db.select().from(hotlineUrls).where(eq(hotlineUrls.reportId, claim));
    expect(urls.map((u) => u.normalizedUrl).sort()).toEqual(['bad-host.example/gallery/42', 'other.example/page']);

    // Taken again from UID 0: still one report.
    await env.app.db.update(emailMailboxes).set({ lastUid: 0 }).where(eq(emailMailboxes.inboxId, inboxId));
    await eventually(async () => ((await env.app.db.select().from(emailMailboxes).where(eq(emailMailboxes.inboxId, inboxId)))[0]?.lastUid ?? 0) > 0, 15_000);
    expect(await env.app.db.select().from(emailReports).where(eq(emailReports.inboxId, inboxId))).toHaveLength(1);
    expect(await env.app.db.select().from(hotlineReports).where(eq(hotlineReports.source, 'email'))).toHaveLength(1);

    // The reporter wants feedback (who may see the address is the hotline's rule, as for the web form).
    const d = await api(env.url, analyst, 'GET', `/api/hotline/reports/${claim}`);
    expect(d.body.wantsFeedback).toBe(true);
    const closed = await api(env.url, analyst, 'POST', `/api/hotline/reports/${claim}/status`, { status: 'closed' });
    expect(closed.status).toBe(200);
    const mail = await smtp.waitFor((m) => m.to.includes('gradjanin@example.rs'));
    expect(mail.mail.text).toContain(report!.reference);
    // Through the mailbox's own SMTP account, from its address, as a reply to her mail.
    expect(mail.user).toBe(SMTP.user);
    expect(mail.mail.from?.value[0]?.address).toBe(MAILBOX);
    expect(mail.mail.inReplyTo).toBe(id);
    expect(mail.header('references')).toContain(id);
    expect(mail.mail.subject).toBe('Re: Пријава');
    // In her language (her mail's Serbian Cyrillic, not the mailbox's Bulgarian), with the mailbox's signature.
    expect(mail.mail.text).toContain('Хвала на пријави');
    expect(mail.mail.text).toContain(`-- \n${SIGNATURE}`);
    expect(mail.header('auto-submitted')).toBe('auto-generated');
    expect(smtp.sent.filter((m) => m.to.includes('gradjanin@example.rs'))).toHaveLength(1);
    expect(mailer.sent).toHaveLength(0);
    // Sent is recorded by the hotline once the mail is out; closed, the address and the way back are erased.
    const after = await eventually(async () => {
      const [r] = await env.app.db.select().from(hotlineReports).where(eq(hotlineReports.id, claim));
      return r?.feedbackSentAt ? r : undefined;
    });
    expect(after).toMatchObject({ status: 'closed', reporterEmail: null, replyRoute: null });
  }, 90_000);

  it('a web-form report still gets its feedback through the hotline mailer (SMTP_URL)', async () => {
    const env2 = await startTestEnv({ SMTP_URL: `smtp://127.0.0.1:${mailer.port}`, MAIL_FROM: 'hotline@centre.test' });
    try {
      const an = await createStaff(env2.app, 'analyst');
      const analyst2 = await login(env2.url, an.email, an.password);
      const r = await env2.app.hotline.create({ urls: ['https://web-form.example/page'], email: 'web@example.bg', language: 'bg' }, { source: 'form' });
      const closed = await api(env2.url, analyst2, 'POST', `/api/hotline/reports/${r.id}/status`, { status: 'closed' });
      expect(closed.status).toBe(200);
      const mail = await mailer.waitFor((m) => m.to.includes('web@example.bg'));
      expect(mail.user).toBeNull();
      expect(mail.mail.from?.value[0]?.address).toBe('hotline@centre.test');
      expect(mail.mail.text).toContain(r.reference);
      expect(mail.mail.text).toContain('Благодарим за сигнала');
      expect(smtp.sent.filter((m) => m.to.includes('web@example.bg'))).toHaveLength(0);
    } finally {
      await env2.close();
    }
  }, 60_000);
});
