// In Chromium: an admin creates an API inbox in the console and reads its secret once; a message an
// integrator posts is offered to a counsellor in the console, who answers; the receiver gets the signed
// reply and the console shows "Sent" under it; with the receiver down it shows "Not delivered" and
// the reason, a reload of the console shows both again, the admin page lists the failed delivery, and
// its replay button delivers it.
import { describe, expect, it } from 'vitest';
import { createStaff, freePort, uid } from '../helpers.js';
import { axeViolations, useConsoleSuite } from '../console-browser.js';
import { postSigned, startReceiver } from './receiver.js';

const suite = useConsoleSuite();

describe('the API channel in the console', () => {
  it('from inbox creation to a replayed reply', { timeout: 90_000 }, async () => {
    let secret = '';
    const receiver = await startReceiver(() => secret);
    const admin = await createStaff(suite.env.app, 'admin', { name: 'Ada' });
    const counsellor = await createStaff(suite.env.app, 'counsellor', { name: 'Mila' });
    const adminCtx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    adminCtx.setDefaultTimeout(15_000);
    const ap = await adminCtx.newPage();
    await suite.consoleLogin(ap, admin.email, admin.password, '/admin');
    await ap.getByRole('tab', { name: 'Channel inboxes' }).click();
    const form = ap.getByRole('form', { name: 'Create an API inbox' });
    await form.getByLabel('Name').fill('Partner app');
    await form.getByLabel(/Webhook URL/).fill(receiver.url);
    await form.getByRole('button', { name: 'Create an API inbox' }).click();
    const shown = ap.getByTestId('inbox-secret');
    await shown.waitFor();
    const codes = await shown.locator('code').allTextContents();
    const [inboxId, s] = codes as [string, string];
    secret = s;
    expect(secret.length).toBeGreaterThan(30);
    expect(await axeViolations(ap)).toEqual([]);
    await ap.getByRole('button', { name: 'I have copied it' }).click();
    expect(await ap.getByText(secret).count()).toBe(0);

    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, counsellor.email, counsellor.password, '/');
    await page.getByRole('radio', { name: 'Available' }).click();
    await page.getByRole('radio', { name: 'Available', checked: true }).waitFor();
    const posted = await postSigned(suite.env.url, inboxId, secret, { contactId: `c-${uid()}`, messageId: 'first', text: 'Hello from the partner app' });
    expect(posted.status).toBe(202);
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByText('Hello from the partner app').waitFor();
    await page.getByText('API', { exact: true }).first().waitFor();

    await page.getByLabel('Message to the visitor').fill('Hi, I am Mila. I am here.');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const got = await receiver.waitFor((r) => r.body.message?.text === 'Hi, I am Mila. I am here.');
    expect(got.signatureOk).toBe(true);
    await page.locator('[data-testid="delivery"][data-state="sent"]').waitFor();

    // The receiver goes away: the next reply fails, with its reason under it.
    await suite.env.app.channels.inboxes.update(inboxId, { webhookUrl: `http://127.0.0.1:${await freePort()}/gone` });
    await page.getByLabel('Message to the visitor').fill('Are you still there?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('[data-testid="delivery"][data-state="failed"]', { hasText: /unreachable/ }).waitFor();

    // A reload of the console shows both states again: they come with the conversation's history.
    await page.reload();
    await page.getByText('Hello from the partner app').waitFor();
    await page.getByText('Are you still there?').waitFor();
    await page.locator('[data-testid="delivery"][data-state="failed"]', { hasText: /unreachable/ }).waitFor();
    expect(await page.locator('[data-testid="delivery"][data-state="sent"]').count()).toBe(1);
    // Not axe-checked here: the composer's textarea carries aria-expanded (aria-allowed-attr), an
    // older finding of the workspace outside this change.

    // The admin sees it failed, points the inbox back to the receiver, and replays it.
    await suite.env.app.channels.inboxes.update(inboxId, { webhookUrl: receiver.url });
    await ap.reload();
    await ap.getByRole('tab', { name: 'Channel inboxes' }).click();
    const failedTable = ap.getByRole('table', { name: 'Failed deliveries' });
    await failedTable.getByRole('cell', { name: /unreachable/ }).waitFor();
    await failedTable.getByRole('button', { name: 'Send again' }).click();
    await receiver.waitFor((r) => r.body.message?.text === 'Are you still there?');
    await ap.getByText('No failed deliveries.').waitFor();
    await page.locator('[data-testid="delivery"][data-state="sent"]').nth(1).waitFor();
    await ctx.close();
    await adminCtx.close();
    await receiver.close();
  });
});
