// Leave-a-message reaches a person, in Chromium: with nobody online a child leaves a message on the
// demo site; a counsellor logs in, sees the count in the navigation, is notified of the next message,
// opens the first, takes it and answers; the child reads the answer with reference and code; the
// counsellor sees it picked up. A supervisor watching another message sees who is answering it and
// can give it back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../server/test/browser.js';
import { axeViolations } from '../../server/test/console-browser.js';
import { api, createStaff, login, startTestEnv, type TestEnv } from '../../server/test/helpers.js';
import { ensureBuilt } from './build.js';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

// SCREENSHOTS=dir saves what staff see at a few steps (for looking at the layout by eye).
const shot = async (page: Page, name: string) => {
  if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/${name}.png`, fullPage: true });
};

let env: TestEnv;
let browser: Browser;

beforeAll(async () => {
  ensureBuilt('agent-console', 'index.html');
  ensureBuilt('web-widget', 'widget.js');
  env = await startTestEnv();
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function consoleLogin(page: Page, email: string, password: string) {
  await page.goto(`${env.url}/console/`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('leave-a-message reaches a person', () => {
  it('a child leaves a message on /demo, a counsellor answers it in the console, the child reads the answer with the code', async () => {
    const nadia = await createStaff(env.app, 'counsellor', { name: 'Nadia' });
    const sam = await createStaff(env.app, 'supervisor', { name: 'Sam' });

    // The child, with nobody online.
    const childCtx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const site = await childCtx.newPage();
    await site.goto(`${env.url}/demo`);
    const widget = site.frameLocator('iframe[data-helpline-widget]');
    await widget.getByRole('button', { name: 'Chat with us' }).click();
    await widget.getByRole('button', { name: 'Leave a message' }).click();
    await widget.locator('#hl-offline-body').fill('Someone shares my photos in a group chat. What can I do?');
    await widget.getByRole('button', { name: 'Send the message' }).click();
    const reference = (await widget.getByTestId('reference').textContent())!;
    const code = (await widget.getByTestId('pickup-code').textContent())!;
    expect(reference).toMatch(/^M-/);

    // The counsellor logs in and sees the count in the navigation.
    const staffCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await staffCtx.newPage();
    page.setDefaultTimeout(10_000);
    const pageErrors: string[] = [];
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await consoleLogin(page, nadia.email, nadia.password);
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await nav.getByRole('link', { name: 'Messages 1 new' }).waitFor();
    await nav.getByRole('link', { name: /^Messages/ }).click();
    const row = page.locator(`tr[data-reference="${reference}"]`);
    await expect.poll(() => row.textContent()).toContain('new');
    expect(await row.textContent()).toContain('English');
    expect(await row.textContent()).toContain('waiting less than a minute');
    // The list does not show what the child wrote.
    expect(await page.getByText('Someone shares my photos').count()).toBe(0);

    // A second child writes meanwhile: a notice, and the count moves on.
    const second = await fetch(`${env.url}/api/widget/offline-messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: env.url },
      body: JSON.stringify({ body: 'I lost my password and someone is in my account', language: 'en' }),
    });
    const secondRef = ((await second.json()) as { reference: string }).reference;
    await page.getByRole('status').filter({ hasText: 'A child left a message (English). Waiting: 2.' }).waitFor();
    await nav.getByRole('link', { name: 'Messages 2 new' }).waitFor();
    await page.locator(`tr[data-reference="${secondRef}"]`).waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, 'messages-list');
    await page.getByRole('button', { name: 'Dismiss' }).click();

    // Oldest first: the first child's message is on top. Open it, take it, answer.
    expect(await page.locator('tbody tr').first().getAttribute('data-reference')).toBe(reference);
    await page.getByRole('button', { name: `Open message ${reference}` }).click();
    await page.getByTestId('message-body').getByText('Someone shares my photos in a group chat. What can I do?').waitFor();
    expect(await page.getByTestId('message-state').textContent()).toBe('new');
    await page.getByRole('button', { name: 'Answer this message' }).click();
    await page.getByText(/You are answering this message/).waitFor();
    expect(await page.getByTestId('message-state').textContent()).toBe('being answered');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('textbox', { name: 'Your answer' }).fill('Thank you for writing. Report the group and tell an adult you trust; call us on 124 123.');
    await shot(page, 'message-claimed');
    await page.getByRole('button', { name: 'Send the answer' }).click();
    await expect.poll(() => page.getByTestId('message-state').textContent()).toBe('answered');
    expect(await page.getByTestId('message-pickup').textContent()).toBe('The child has not read the answer yet.');
    await nav.getByRole('link', { name: 'Messages 1 new' }).waitFor();
    const [row1] = await env.app.audit.search({ action: 'offline_message.read', actorId: nadia.profile.id });
    expect(row1).toMatchObject({ targetType: 'offline_message' });

    // The child comes back and reads the answer with the reference and the code.
    await widget.getByRole('button', { name: 'Back' }).click();
    await widget.getByRole('button', { name: 'Read an answer (I have a code)' }).first().click();
    await widget.locator('#hl-ref').fill(reference);
    await widget.locator('#hl-code').fill(code);
    await widget.getByRole('button', { name: 'Show the answer' }).click();
    await widget.locator('.note', { hasText: 'Report the group and tell an adult you trust' }).waitFor();

    // The counsellor sees it picked up, on the open message and in the list.
    await expect.poll(() => page.getByTestId('message-state').textContent()).toBe('picked up');
    await shot(page, 'message-picked-up');
    expect(await page.getByTestId('message-pickup').textContent()).toMatch(/^The child read the answer at /);
    await page.getByRole('link', { name: 'Back to the messages' }).click();
    await page.getByRole('combobox', { name: 'Show' }).selectOption('picked_up');
    await expect.poll(() => page.locator(`tr[data-reference="${reference}"]`).textContent()).toContain('picked up · by Nadia');

    // A supervisor looking at the second message sees Nadia take it, and gives it back.
    const supCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const sup = await supCtx.newPage();
    await consoleLogin(sup, sam.email, sam.password);
    await sup.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: /^Messages/ }).click();
    await sup.getByRole('button', { name: `Open message ${secondRef}` }).click();
    await sup.getByRole('button', { name: 'Answer this message' }).waitFor();
    const who = await login(env.url, nadia.email, nadia.password);
    const list = await api(env.url, who, 'GET', '/api/offline-messages');
    const secondId = list.body.messages.find((m: { reference: string }) => m.reference === secondRef).id;
    expect((await api(env.url, who, 'POST', `/api/offline-messages/${secondId}/claim`, {})).status).toBe(200);
    await sup.getByText(/^Nadia is answering this message/).waitFor();
    expect(await sup.getByRole('button', { name: 'Answer this message' }).count()).toBe(0);
    await sup.getByRole('button', { name: 'Release it (supervisor)' }).click();
    await expect.poll(() => sup.getByTestId('message-state').textContent()).toBe('new');
    await sup.getByRole('button', { name: 'Answer this message' }).waitFor();

    expect(pageErrors).toEqual([]);
    await supCtx.close();
    await staffCtx.close();
    await childCtx.close();
  }, 90_000);
});
