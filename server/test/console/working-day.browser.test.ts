// In Chromium, a counsellor's working day with her chats: canned responses from the composer's button
// by keyboard alone (as well as by "/"), and a chat list that says which child is which and who waits.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { call, connected, createStaff, next, randomUUID, widgetClient, type WidgetClient } from '../helpers.js';
import { axeViolations, useConsoleSuite } from '../console-browser.js';

const suite = useConsoleSuite({ OFFER_TIMEOUT_MS: '20000', DISCONNECT_GRACE_MS: '20000' });
const children: WidgetClient[] = [];

async function startChild(payload: Record<string, string>) {
  const child = widgetClient(suite.env.url);
  children.push(child);
  await connected(child);
  const started = await call(child, 'conversation:start', payload);
  if (!started.ok) throw new Error('start failed');
  return { child, conversationId: started.data.conversation.id as string };
}
const say = (child: WidgetClient, conversationId: string, body: string) => call(child, 'message:send', { conversationId, clientMsgId: randomUUID(), body });

async function counsellorPage(name: string, capacity = 3): Promise<Page> {
  const c = await createStaff(suite.env.app, 'counsellor', { name, capacity, languages: ['en', 'bg'] });
  const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  await suite.consoleLogin(page, c.email, c.password, '');
  await page.getByRole('radio', { name: 'Available' }).click();
  await expect.poll(() => page.getByTestId('agent-status').textContent()).toBe('Available');
  return page;
}

const focused = (page: Page) => page.evaluate(() => `${document.activeElement?.tagName}|${document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent}`);

describe('a counsellor’s chats', () => {
  it('inserts a canned response from the composer’s button, by keyboard alone', { timeout: 60_000 }, async () => {
    const page = await counsellorPage('Mira');
    const one = await startChild({ language: 'en', ageGroup: '12-18' });
    await page.getByTestId('offer').waitFor();
    await page.keyboard.press('Alt+A');
    await page.getByTestId('conv-item').first().waitFor();

    const box = page.getByRole('textbox', { name: 'Message to the visitor' });
    await box.click();
    await box.pressSequentially('Thank you.');
    // Tab reaches the button next to the message box; Enter opens the list with its search field focused.
    await page.keyboard.press('Tab');
    await expect.poll(() => focused(page)).toBe('BUTTON|Canned responses');
    expect(await page.getByRole('button', { name: 'Canned responses' }).getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Enter');
    const search = page.getByRole('combobox', { name: 'Search the canned responses' });
    await search.waitFor();
    await expect.poll(() => focused(page)).toBe('INPUT|Search the canned responses');
    expect(await page.getByRole('listbox', { name: 'Canned responses' }).getByRole('option').count()).toBe(6);
    expect(await axeViolations(page)).toEqual([]);

    // Esc closes it and gives the focus back to the button.
    await page.keyboard.press('Escape');
    await search.waitFor({ state: 'detached' });
    await expect.poll(() => focused(page)).toBe('BUTTON|Canned responses');

    // Again: filter by a word of the title, ↓ to the second match, Enter inserts it after what was typed.
    await page.keyboard.press('Enter');
    await search.waitFor();
    await page.keyboard.type('e');
    await expect.poll(() => search.inputValue()).toBe('e');
    const options = page.getByRole('listbox', { name: 'Canned responses' }).getByRole('option');
    const second = (await options.nth(1).locator('span').first().textContent())!;
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => options.nth(1).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    await search.waitFor({ state: 'detached' });
    await expect.poll(() => focused(page)).toBe('TEXTAREA|Message to the visitor');
    const body = (await suite.env.app.canned.list('en')).find((c) => c.title === second)!.body;
    expect(await box.inputValue()).toBe(`Thank you. ${body}`);

    // The message box has the focus: Enter sends it.
    const atChild = next(one.child, 'message:new', (m: any) => m.sender === 'counsellor');
    await page.keyboard.press('Enter');
    expect((await atChild).body).toBe(`Thank you. ${body}`);

    // "/" still opens the shortcuts in the message box.
    await box.pressSequentially('/bye');
    await page.getByRole('listbox', { name: 'Canned responses' }).waitFor();
    await page.keyboard.press('Enter');
    expect(await box.inputValue()).toContain('Thank you for talking to me');
    await page.context().close();
    void say;
  });
});
