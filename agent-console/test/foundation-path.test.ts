// The foundation path (issue 2 item 7) in Chromium: a child opens the demo site, opens the widget and
// starts an anonymous chat; a counsellor in another browser context becomes available and accepts;
// both exchange messages live; the counsellor closes with a case record; the child sees the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../server/test/browser.js';
import { createStaff, startTestEnv, type TestEnv } from '../../server/test/helpers.js';
import { ensureBuilt } from './build.js';

// playwright-core is the server package's dev dependency: take its types through launchBrowser.
type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

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

describe('foundation path', () => {
  it('a child and a counsellor chat live, and the case record closes it', async () => {
    const staff = await createStaff(env.app, 'counsellor', { name: 'Vera' });

    const counsellorCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const console_ = await counsellorCtx.newPage();
    await console_.goto(`${env.url}/console/`);
    await console_.getByLabel('E-mail').fill(staff.email);
    await console_.getByLabel('Password').fill(staff.password);
    await console_.getByRole('button', { name: 'Log in' }).click();
    await console_.getByRole('radio', { name: 'Available' }).click();
    await expect.poll(() => console_.getByTestId('agent-status').textContent()).toBe('Available');

    const childCtx = await browser.newContext({ viewport: { width: 1000, height: 800 } });
    const site = await childCtx.newPage();
    await site.goto(`${env.url}/demo`);
    const widget = site.frameLocator('iframe[data-helpline-widget]');
    await widget.getByRole('button', { name: 'Chat with us' }).click();
    await widget.getByRole('button', { name: 'Start the chat' }).click();

    await console_.getByTestId('offer').waitFor();
    await console_.getByRole('button', { name: 'Accept' }).click();
    await console_.getByTestId('conv-item').waitFor();
    await widget.getByText('Vera joined the chat.').waitFor();

    await widget.getByRole('textbox', { name: 'Your message' }).fill('Someone keeps messaging me and I am scared');
    await widget.getByRole('textbox', { name: 'Your message' }).press('Enter');
    await console_.getByText('Someone keeps messaging me and I am scared').waitFor();

    const box = console_.getByRole('textbox', { name: 'Message to the visitor' });
    await box.fill('Thank you for telling me. You did the right thing.');
    await box.press('Enter');
    await widget.getByText('Thank you for telling me. You did the right thing.').waitFor();

    await console_.getByRole('combobox', { name: 'Who contacted *' }).selectOption('child');
    await console_.getByRole('checkbox', { name: 'Grooming' }).check();
    await console_.getByRole('textbox', { name: 'Summary *' }).fill('Unknown adult messaging a child; advised to block and report.');
    await console_.getByRole('button', { name: 'Save and close conversation' }).click();
    await console_.getByText('Conversation closed, case record saved.').waitFor();
    await widget.getByText('The chat has ended').waitFor();

    await childCtx.close();
    await counsellorCtx.close();
  }, 60_000);
});
