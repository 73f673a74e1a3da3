// A counsellor's day in Chromium: log in, become available, accept an offer, hold two chats at once,
// use a canned response, write an internal note, escalate to a supervisor and to the hotline, complete a
// case record, log a phone contact. The children are socket.io-clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../server/test/browser.js';
import { agentClient, call, connected, createStaff, login, next, randomUUID, startTestEnv, widgetClient, type TestEnv, type WidgetClient } from '../../server/test/helpers.js';
import { ensureBuilt } from './build.js';

// playwright-core is the server package's dev dependency: take its types through launchBrowser.
type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

// SCREENSHOTS=dir saves what the counsellor sees at a few steps (for looking at the layout by eye).
const shotDir = process.env.SCREENSHOTS;
const shot = async (page: Page, name: string) => {
  if (shotDir) await page.screenshot({ path: `${shotDir}/${name}.png`, fullPage: true });
};

/** Controls on the page with no accessible name (aria-label, aria-labelledby, <label>, or own text). */
const unnamedControls = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('button, input, select, textarea, a[href], [role="tab"], [role="radio"]'))
      .filter((el) => {
        const e = el as HTMLInputElement;
        if (e.type === 'hidden') return false;
        if (el.getAttribute('aria-label')?.trim() || el.getAttribute('aria-labelledby')) return false;
        if (e.labels && e.labels.length > 0) return false;
        if (['BUTTON', 'A'].includes(el.tagName) || el.getAttribute('role')) return !el.textContent?.trim();
        return true;
      })
      .map((el) => el.outerHTML.slice(0, 120)),
  );

let env: TestEnv;
let browser: Browser;
const children: WidgetClient[] = [];

beforeAll(async () => {
  ensureBuilt('agent-console', 'index.html');
  env = await startTestEnv({ WRAPUP_MS: '6000', OFFER_TIMEOUT_MS: '20000', DISCONNECT_GRACE_MS: '20000' });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  for (const c of children) c.disconnect();
  await browser?.close();
  await env?.close();
});

async function startChild(language: 'en' | 'bg') {
  const child = widgetClient(env.url);
  children.push(child);
  await connected(child);
  const started = await call(child, 'conversation:start', { language, ageGroup: '12-18' });
  if (!started.ok) throw new Error('start failed');
  return { child, conversationId: started.data.conversation.id as string };
}
const say = (child: WidgetClient, conversationId: string, body: string) => call(child, 'message:send', { conversationId, clientMsgId: randomUUID(), body });

async function loginAs(page: Page, email: string, password: string) {
  await page.goto(`${env.url}/console/`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

describe('a counsellor’s day', () => {
  it('works through chats, escalations and a phone contact', async () => {
    const c = await createStaff(env.app, 'counsellor', { name: 'Mila', capacity: 3 });
    const sup = await createStaff(env.app, 'supervisor', { name: 'Sam' });
    const supWho = await login(env.url, sup.email, sup.password);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await loginAs(page, c.email, c.password);

    // Become available.
    await page.getByRole('radio', { name: 'Available' }).click();
    await expect.poll(() => page.getByTestId('agent-status').textContent()).toBe('Available');
    await expect.poll(() => page.getByTestId('agent-load').textContent()).toBe('Chats: 0 of 3');

    // First child: the offer arrives with its time left; Alt+A accepts.
    const one = await startChild('en');
    await page.getByTestId('offer').waitFor();
    expect(await page.getByTestId('offer').textContent()).toMatch(/\d+ s left/);
    await page.keyboard.press('Alt+A');
    await page.getByTestId('conv-item').first().waitFor();
    await expect.poll(() => page.getByTestId('agent-load').textContent()).toBe('Chats: 1 of 3');
    await say(one.child, one.conversationId, 'Someone posted this about me https://bad.example/post/123 and I feel awful');
    await page.getByText('Someone posted this about me https://bad.example/post/123 and I feel awful').waitFor();
    // The link is plain text, never a link element.
    expect(await page.locator('.messages a').count()).toBe(0);

    // Second child at the same time: accepted with the button.
    const two = await startChild('en');
    await page.getByTestId('offer').waitFor();
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => page.getByTestId('conv-item').count()).toBe(2);
    await say(two.child, two.conversationId, 'hi, can I ask something?');
    await page.getByText('hi, can I ask something?').waitFor();

    // A message in the chat not on screen shows as unread.
    await say(one.child, one.conversationId, 'are you still there?');
    await page.getByTestId('unread').waitFor();
    expect(await page.getByTestId('unread').first().textContent()).toContain('1');

    await shot(page, '1-two-chats');

    // The connection drops; what the child wrote meanwhile appears after the console reconnects.
    env.app.realtime.agent.local.disconnectSockets(true);
    await say(two.child, two.conversationId, 'written while you were away');
    await page.getByText('written while you were away').waitFor();
    await expect.poll(() => page.getByTestId('agent-load').textContent()).toBe('Chats: 2 of 3');
    // (The drop closed every agent socket on the instance: the supervisor connects after it.)
    const supSocket = agentClient(env.url, supWho);
    await connected(supSocket);
    // A canned response: "/hel" opens the filtered list, Enter inserts, Enter sends.
    const box = page.getByRole('textbox', { name: 'Message to the visitor' });
    await box.click();
    await box.pressSequentially('/hel');
    await page.getByRole('listbox', { name: 'Canned responses' }).waitFor();
    await shot(page, '2-canned');
    await page.keyboard.press('Enter');
    expect(await box.inputValue()).toContain("I'm here to listen");
    const atChild = next(two.child, 'message:new', (m: any) => m.sender === 'counsellor');
    await page.keyboard.press('Enter');
    expect((await atChild).body).toContain("I'm here to listen");

    // An internal note: staff only.
    let childSawNote = false;
    two.child.on('message:new', (m) => {
      if (m.body.includes('Possible grooming')) childSawNote = true;
    });
    await page.getByRole('tab', { name: /Internal notes/ }).click();
    await page.getByRole('textbox', { name: 'New internal note' }).fill('Possible grooming: check next time');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByTestId('notes').getByText('Possible grooming: check next time').waitFor();

    // Escalate to a supervisor.
    const alert = next(supSocket, 'alert:new', (a: any) => a.kind === 'help_requested' && a.conversationId === two.conversationId);
    await page.getByRole('tab', { name: 'Escalate' }).click();
    await page.getByRole('button', { name: 'Ask a supervisor for help' }).click();
    await alert;
    await page.getByText('A supervisor has been alerted.').waitFor();

    expect(await unnamedControls(page)).toEqual([]);

    // Escalate the first chat to the hotline: its URL is pre-filled, never any media.
    await page.getByTestId('conv-item').first().click();
    expect(await page.getByTestId('unread').count()).toBe(0);
    await page.getByRole('tab', { name: 'Escalate' }).click();
    await page.getByRole('button', { name: 'Report to the hotline' }).click();
    const dialog = page.getByRole('dialog', { name: 'Hotline report from this conversation' });
    await dialog.waitFor();
    expect(await dialog.getByRole('textbox', { name: /URLs/ }).inputValue()).toBe('https://bad.example/post/123');
    // Esc closes the dialog; reopen and submit.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Report to the hotline' }).click();
    await dialog.getByRole('button', { name: 'Create report' }).click();
    await page.getByText(/Hotline report .+ created\./).waitFor();

    // Refer the first chat to the police: waits for approval.
    const institution = page.getByRole('combobox', { name: 'Institution' });
    const police = await institution.locator('option', { hasText: 'Cybercrime' }).getAttribute('value');
    await institution.selectOption(police!);
    await page.getByText('A referral to the police waits for a supervisor’s approval.').waitFor();
    await page.getByRole('button', { name: 'Record referral' }).click();
    await page.getByTestId('referrals').getByText('waiting for approval').waitFor();

    // A return code for the child, inserted into the reply.
    await page.getByRole('button', { name: 'Give a return code' }).click();
    const codeText = await page.getByText(/Return code: [A-Z2-9]{5}-[A-Z2-9]{5}/).textContent();
    const returnCode = /([A-Z2-9]{5}-[A-Z2-9]{5})/.exec(codeText ?? '')![1]!;
    await page.getByRole('button', { name: 'Insert in message' }).click();
    expect(await page.getByRole('textbox', { name: 'Message to the visitor' }).inputValue()).toContain(returnCode);

    // Complete the case record: required fields are checked first.
    await page.getByRole('tab', { name: 'Case record' }).click();
    await page.getByRole('button', { name: 'Save and close conversation' }).click();
    await page.getByText('Please correct the marked fields.').waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    await shot(page, '3-case-errors');
    await page.getByText('Choose at least one category.').waitFor();
    await page.getByRole('combobox', { name: 'Who contacted *' }).selectOption('child');
    await page.getByRole('checkbox', { name: 'Cyberbullying' }).check();
    await page.getByRole('checkbox', { name: 'Online reputation' }).check();
    await expect.poll(() => page.getByTestId('chi').textContent()).toBe('Violence, Peer relationships');
    await page.getByRole('textbox', { name: 'Summary *' }).fill('Humiliating post by classmates; advised on reporting and blocking.');
    const ended = next(one.child, 'conversation:updated', (v: any) => v.state === 'closed');
    await page.getByRole('button', { name: 'Save and close conversation' }).click();
    await ended;
    await page.getByText('Conversation closed, case record saved.').waitFor();
    await expect.poll(() => page.getByTestId('conv-item').count()).toBe(1);
    // Wrap-up before the next offer is shown.
    await page.getByTestId('wrapup').waitFor();
    expect(childSawNote).toBe(false);

    // Transfer the other chat to a colleague, with a note that travels with it.
    const other = await createStaff(env.app, 'counsellor', { name: 'Nikola' });
    const otherSocket = agentClient(env.url, await login(env.url, other.email, other.password));
    await connected(otherSocket);
    await call(otherSocket, 'agent:status', { status: 'available' });
    const transferred = next(otherSocket, 'offer:new', (o: any) => o.conversation.id === two.conversationId);
    await page.getByTestId('conv-item').first().click();
    await page.getByRole('tab', { name: 'Escalate' }).click();
    await page.getByRole('button', { name: 'Transfer' }).click();
    const tdialog = page.getByRole('dialog', { name: 'Transfer this conversation' });
    const target = tdialog.getByRole('combobox', { name: 'A counsellor' });
    await target.selectOption((await target.locator('option', { hasText: 'Nikola' }).getAttribute('value'))!);
    await tdialog.getByRole('textbox', { name: 'Note for the next counsellor' }).fill('Asked about privacy settings; calm now.');
    await tdialog.getByRole('button', { name: 'Transfer' }).click();
    expect((await transferred).transfer).toMatchObject({ fromStaffName: 'Mila', note: 'Asked about privacy settings; calm now.' });
    await expect.poll(() => page.getByTestId('conv-item').count()).toBe(0);
    otherSocket.disconnect();

    // The returning child's code shows the earlier case.
    await page.getByRole('link', { name: 'Returning contact' }).click();
    await page.getByRole('textbox', { name: 'Return code' }).fill(returnCode.toLowerCase());
    await page.getByRole('button', { name: 'Show earlier cases' }).click();
    await page.getByText('Humiliating post by classmates; advised on reporting and blocking.').waitFor();

    // Log a phone contact with the same case record form.
    await page.getByRole('link', { name: 'Log a contact' }).click();
    await page.getByRole('combobox', { name: 'Channel' }).selectOption('phone');
    await page.getByRole('combobox', { name: 'Who contacted *' }).selectOption('parent');
    await page.getByRole('checkbox', { name: 'Grooming' }).check();
    await page.getByRole('textbox', { name: 'Summary *' }).fill('Father called about a stranger messaging his son.');
    await page.getByRole('button', { name: 'Save contact' }).click();
    await page.getByText('Contact saved.').waitFor();
    const rows = (await env.app.db.execute(`select channel, contact_type, categories from case_records order by created_at` as never)) as unknown as { channel: string }[];
    const list = Array.isArray(rows) ? rows : (rows as unknown as { rows: { channel: string }[] }).rows;
    expect(list.map((r) => r.channel)).toEqual(['chat', 'phone']);

    // In Bulgarian; on a tablet the page does not overflow sideways.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('bg');
    await page.getByRole('link', { name: 'Чатове' }).click();
    await page.getByRole('radio', { name: 'На разположение' }).waitFor();
    await page.setViewportSize({ width: 800, height: 1000 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
    await shot(page, '4-tablet');
    expect(pageErrors).toEqual([]);
    supSocket.disconnect();
    await context.close();

    // Four eyes: the supervisor approves the police referral in the console.
    const supCtx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const supPage = await supCtx.newPage();
    await loginAs(supPage, sup.email, sup.password);
    await supPage.getByRole('link', { name: 'Police referrals' }).click();
    await supPage.getByRole('button', { name: /^Approve: .*Cybercrime/ }).click();
    await supPage.getByText('Nothing waits for approval.').waitFor();
    await supCtx.close();
  }, 90_000);
});
