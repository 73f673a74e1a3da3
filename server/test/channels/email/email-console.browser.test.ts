// In Chromium: an admin connects the centre's mailbox (a private Dovecot and an SMTP receiver) on the
// Channel inboxes page and tests the connection; a mail put into Dovecot is offered to a counsellor in
// the console, who sees the sender masked, reveals it, and answers; the answer reaches the SMTP
// receiver threaded on the mail, and the console shows it sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, uid } from '../../helpers.js';
import { axeViolations, useConsoleSuite } from '../../console-browser.js';
import { startDovecot, type Dovecot } from './dovecot.js';
import { rawMail, startSmtpReceiver, type SmtpReceiver } from './smtp.js';

const suite = useConsoleSuite({ EMAIL_POLL_MS: '2000', EMAIL_IDLE_MS: '1500', EMAIL_TIMEOUT_MS: '3000', DELIVERY_BACKOFF_MS: '100' });
const MAILBOX = 'pomoc@centre.test';
const IMAP_PW = `imap-${uid(8)}`;
const SMTP = { user: 'centre-smtp', password: `smtp-${uid(8)}` };
let dovecot: Dovecot;
let smtp: SmtpReceiver;

beforeAll(async () => {
  dovecot = await startDovecot();
  dovecot.setUser(MAILBOX, IMAP_PW);
  smtp = await startSmtpReceiver(SMTP);
});
afterAll(async () => {
  await smtp?.close();
  await dovecot?.close();
});

describe('e-mail in the console', () => {
  it('a mail in the mailbox is answered by a counsellor, threaded', { timeout: 120_000 }, async () => {
    const admin = await createStaff(suite.env.app, 'admin', { name: 'Ada' });
    const counsellor = await createStaff(suite.env.app, 'counsellor', { name: 'Mila' });
    const adminCtx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    adminCtx.setDefaultTimeout(15_000);
    const ap = await adminCtx.newPage();
    await suite.consoleLogin(ap, admin.email, admin.password, '/admin');
    await ap.getByRole('tab', { name: 'Channel inboxes' }).click();
    const form = ap.getByRole('form', { name: 'Connect a mailbox' });
    await form.getByLabel('Name', { exact: true }).fill('Helpline mail');
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
    await form.getByLabel('Signature').fill('Национални контакт центар');
    await form.getByRole('button', { name: 'Connect a mailbox' }).click();
    const card = ap.getByRole('region', { name: 'Helpline mail' });
    await card.waitFor();
    // The passwords are not on the page after saving.
    expect(await ap.content()).not.toContain(IMAP_PW);
    expect(await ap.content()).not.toContain(SMTP.password);
    await card.getByRole('button', { name: 'Test connection' }).click();
    const result = card.getByTestId('connection-test');
    await result.getByText('IMAP: works').waitFor();
    await result.getByText('SMTP: works').waitFor();
    expect(await axeViolations(ap)).toEqual([]);

    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(20_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, counsellor.email, counsellor.password, '/');
    await page.getByRole('radio', { name: 'Available' }).click();
    await page.getByRole('radio', { name: 'Available', checked: true }).waitFor();
    const first = `<${uid(10)}@dete.test>`;
    await dovecot.append(MAILBOX, IMAP_PW, rawMail({ From: 'dete@example.rs', To: MAILBOX, Subject: 'Неко ме уцењује', 'Message-ID': first }, 'Неко ми прети да ће објавити моје слике.'));
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByText('Неко ми прети да ће објавити моје слике.').waitFor();
    const panel = page.getByTestId('email-panel');
    await panel.getByTestId('email-from').getByText('d•••@e•••.rs').waitFor();
    expect(await page.content()).not.toContain('dete@example.rs');
    await panel.getByRole('button', { name: 'Show the address' }).click();
    await panel.getByTestId('email-from').getByText('dete@example.rs').waitFor();

    await page.getByLabel('Message to the visitor').fill('Добро је што си нам писао. Ниси крив.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const out = await smtp.waitFor((m) => (m.mail.text ?? '').includes('Ниси крив.'));
    expect(out.to).toEqual(['dete@example.rs']);
    expect(out.header('in-reply-to')).toBe(first);
    expect(out.mail.subject).toBe('Re: Неко ме уцењује');
    expect(out.mail.text).toContain('Национални контакт центар');
    await page.locator('[data-testid="delivery"][data-state="sent"]').waitFor();
    await ctx.close();
    await adminCtx.close();
  });
});
