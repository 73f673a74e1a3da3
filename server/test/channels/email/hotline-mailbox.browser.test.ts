// In Chromium (issue 19 item 9): an admin connects the hotline's mailbox on the Channel inboxes page;
// a mail naming an address, put into Dovecot, becomes a hotline report (source e-mail); an analyst
// opens it in the console, assesses the address and forwards it to the hosting country's hotline; the
// reporter gets the feedback mail, in their language, through the mailbox's SMTP as a reply to hers.
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createStaff, eventually, uid } from '../../helpers.js';
import { axeViolations, useConsoleSuite } from '../../console-browser.js';
import { hotlineReports } from '../../../src/hotline/tables.js';
import { emailReports } from '../../../src/channels/email/tables.js';
import { startDovecot, type Dovecot } from './dovecot.js';
import { rawMail, startSmtpReceiver, type SmtpReceiver } from './smtp.js';

const MAILBOX = 'prijava@hotline.test';
const IMAP_PW = `imap-${uid(8)}`;
const SMTP = { user: 'hotline-smtp', password: `smtp-${uid(8)}` };
const REPORTER = 'gradjanka@example.rs';
let dovecot: Dovecot;
let smtp: SmtpReceiver;

// The servers first. No hotline mailer (SMTP_URL unset): the feedback goes back through the mailbox.
const suite = useConsoleSuite(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(MAILBOX, IMAP_PW);
  smtp = await startSmtpReceiver(SMTP);
  return { EMAIL_POLL_MS: '2000', EMAIL_IDLE_MS: '1500', EMAIL_TIMEOUT_MS: '3000' };
});
afterAll(async () => {
  await smtp?.close();
  await dovecot?.close();
});

describe('the hotline mailbox in the console', () => {
  it('a mail becomes a report the analyst forwards, and the reporter gets the feedback mail', { timeout: 120_000 }, async () => {
    const admin = await createStaff(suite.env.app, 'admin', { name: 'Ada' });
    const analyst = await createStaff(suite.env.app, 'analyst', { name: 'Ana' });
    const adminCtx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    adminCtx.setDefaultTimeout(15_000);
    const ap = await adminCtx.newPage();
    await suite.consoleLogin(ap, admin.email, admin.password, '/admin');
    await ap.getByRole('tab', { name: 'Channel inboxes' }).click();
    const form = ap.getByRole('form', { name: 'Connect a mailbox' });
    await form.getByLabel('Name', { exact: true }).fill('Hotline mail');
    await form.getByRole('combobox', { name: /^For\b/ }).selectOption('hotline');
    await form.getByLabel('Language of its mail').selectOption('sr-Cyrl');
    const fill = async (group: string, v: { host: string; port: number; user: string; password: string }) => {
      const g = form.getByRole('group', { name: group });
      await g.getByLabel('Server').fill(v.host);
      await g.getByLabel('Port').fill(String(v.port));
      await g.getByLabel('TLS from the start').uncheck();
      await g.getByLabel('User name').fill(v.user);
      await g.getByLabel('Password', { exact: true }).fill(v.password);
    };
    await fill('Receiving (IMAP)', { host: '127.0.0.1', port: dovecot.port, user: MAILBOX, password: IMAP_PW });
    await fill('Sending (SMTP)', { host: '127.0.0.1', port: smtp.port, user: SMTP.user, password: SMTP.password });
    await form.getByLabel("The centre's address").fill(MAILBOX);
    await form.getByRole('button', { name: 'Connect a mailbox' }).click();
    await ap.getByRole('region', { name: 'Hotline mail' }).waitFor();
    await adminCtx.close();

    // Fresh per attempt: an address assessed before is recognised and its report skips the analyst.
    const album = `https://abuse-host.example/album/${Date.now().toString(36)}`;
    const herId = `<${uid(10)}@reporter.test>`;
    await dovecot.append(
      MAILBOX,
      IMAP_PW,
      rawMail({ From: `Грађанка <${REPORTER}>`, To: MAILBOX, Subject: 'Пријава садржаја', 'Message-ID': herId }, `Нашла сам ово: ${album}/7. Молим вас, погледајте.`),
    );
    const reportId = await eventually(async () => (await suite.env.app.db.select().from(emailReports))[0]?.reportId, 20_000);
    const [report] = await suite.env.app.db.select().from(hotlineReports).where(eq(hotlineReports.id, reportId));
    const reference = report!.reference;

    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, analyst.email, analyst.password, '/hotline');
    await page.getByRole('button', { name: `Open ${reference}` }).click();
    await page.getByRole('heading', { name: `Report ${reference}` }).waitFor();
    const meta = page.locator('.hl-meta');
    await meta.getByText('E-mail', { exact: true }).waitFor();
    await meta.getByText('Нашла сам ово:', { exact: false }).waitFor();
    // The address is plain text, not a link, until the analyst asks.
    await expect(page.locator('.hl-url').first().textContent()).resolves.toBe(`${album}/7`);
    expect(await page.locator('.hl-url a').count()).toBe(0);

    // Assessing needs the claim (issue 22): the analyst takes the report first.
    await page.getByRole('button', { name: 'Claim this report' }).click();
    await page.getByText(/^You hold this report/).waitFor();
    const assessment = page.getByRole('group', { name: 'Assessment of URL 1' });
    await assessment.getByLabel('Classification').selectOption('baseline');
    await assessment.getByLabel('Victim age').selectOption('pubescent');
    await assessment.getByLabel('Victim gender').selectOption('girls');
    await assessment.getByLabel('Site type').selectOption('image-host');
    await assessment.getByLabel('Hosting provider').fill('Host GmbH');
    await assessment.getByLabel('Hosting country (2 letters)').fill('DE');
    await assessment.getByRole('button', { name: 'Save assessment' }).click();
    await assessment.getByText('Saved').waitFor();
    await expect(page.getByTestId('hl-status').textContent()).resolves.toBe('Assessed');

    const action = page.getByRole('group', { name: 'Record action' });
    await action.getByLabel('Action').selectOption('inhope');
    await action.locator('#hl-receiver').selectOption('de-eco');
    await action.getByLabel("Receiver's reference").fill('ICCAM-DE-7');
    await action.getByRole('button', { name: 'Record action' }).click();
    await page.getByTestId('hl-status').getByText('Forwarded').waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The reporter is told, in Serbian (the mailbox's language), with the report's reference.
    const feedback = await smtp.waitFor((m) => m.to.includes(REPORTER));
    expect(feedback.mail.text).toContain('проследили надлежним органима');
    expect(feedback.mail.text).toContain(reference);
    expect(smtp.sent.filter((m) => m.to.includes(REPORTER))).toHaveLength(1);
    // Through the mailbox's SMTP, from its address, as a reply to her mail.
    expect(feedback.user).toBe(SMTP.user);
    expect(feedback.mail.from?.value[0]?.address).toBe(MAILBOX);
    expect(feedback.mail.inReplyTo).toBe(herId);
    expect(feedback.mail.subject).toBe('Re: Пријава садржаја');
    await ctx.close();
  });
});
