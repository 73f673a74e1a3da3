// Issue 19 item 5: the hotline's mailbox. A mail to it that names addresses becomes a hotline report
// through the hotline's service (URLs normalised and de-duplicated as the web form's, the text as the
// description, the sender as the reporter's contact, shown by the hotline's own rules), once
// however often it is taken; an analyst's action sends the feedback mail.
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

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(MAILBOX, PW);
  smtp = await startSmtpReceiver(SMTP);
  env = await startTestEnv({ EMAIL_POLL_MS: '2000', EMAIL_IDLE_MS: '1500', EMAIL_TIMEOUT_MS: '3000', SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, MAIL_FROM: MAILBOX });
  const a = await createStaff(env.app, 'admin');
  admin = await login(env.url, a.email, a.password);
  const an = await createStaff(env.app, 'analyst');
  analyst = await login(env.url, an.email, an.password);
  const res = await api(env.url, admin, 'POST', '/api/admin/inboxes', {
    channel: 'email',
    name: 'Hotline mail',
    email: { purpose: 'hotline', language: 'sr-Cyrl', imapHost: '127.0.0.1', imapPort: dovecot.port, imapTls: false, imapUser: MAILBOX, imapPassword: PW, smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpTls: false, smtpUser: SMTP.user, smtpPassword: SMTP.password, fromAddress: MAILBOX },
  });
  expect(res.status).toBe(201);
  inboxId = res.body.inbox.id;
}, 60_000);
afterAll(async () => {
  await env?.close();
  await smtp?.close();
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
  }, 90_000);
});
