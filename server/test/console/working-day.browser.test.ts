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
  });

  it('names each chat without personal data and shows its channel, language, last message and the child’s wait', { timeout: 60_000 }, async () => {
    const page = await counsellorPage('Nina');
    const one = await startChild({ language: 'en', topic: 'parents', ageGroup: '12-18' });
    await page.getByTestId('offer').waitFor();
    await page.keyboard.press('Alt+A');
    await page.getByTestId('conv-item').first().waitFor();
    const two = await startChild({ language: 'bg', ageGroup: '5-11' });
    await page.getByTestId('offer').waitFor();
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect.poll(() => page.getByTestId('conv-item').count()).toBe(2);

    const code = (id: string) => id.replace(/-/g, '').slice(0, 4).toUpperCase();
    const item = (id: string) => page.getByTestId('conv-item').filter({ hasText: code(id) });
    expect(await item(one.conversationId).locator('.conv-title').textContent()).toBe(`Parents, 12–18 · ${code(one.conversationId)}`);
    expect(await item(two.conversationId).locator('.conv-title').textContent()).toBe(`5–11 · ${code(two.conversationId)}`);
    expect(await item(one.conversationId).getByTestId('conv-meta').textContent()).toBe('Chat · English');
    expect(await item(two.conversationId).getByTestId('conv-meta').textContent()).toBe('Chat · Bulgarian');
    expect(await page.getByText(/Conversation \d/).count()).toBe(0);

    // The child writes: the list shows a short preview and how long she has waited, ticking.
    const long = 'My mum found the messages on my phone and now she is angry with me and I do not know what to do';
    await say(one.child, one.conversationId, long);
    const preview = () => item(one.conversationId).getByTestId('conv-last').getAttribute('data-preview');
    await expect.poll(preview).toMatch(/^My mum found/);
    // Shown (CSS draws the attribute) and part of the entry's accessible name.
    await item(one.conversationId).and(page.getByRole('button', { name: /My mum found the messages/ })).waitFor();
    const last = (await preview())!;
    expect(last.length).toBeLessThanOrEqual(60);
    expect(last.endsWith('…')).toBe(true);
    expect(long.startsWith(last.slice(0, -1))).toBe(true);
    const wait = item(one.conversationId).getByTestId('conv-wait');
    const seconds = async () => Number(/waiting for an answer (\d+) s/.exec((await wait.textContent()) ?? '')?.[1] ?? -1);
    await expect.poll(seconds, { timeout: 10_000 }).toBeGreaterThanOrEqual(0);
    const first = await seconds();
    await expect.poll(seconds, { timeout: 10_000 }).toBeGreaterThanOrEqual(first + 2);
    // The other child has not written: nobody is waiting there.
    expect(await item(two.conversationId).getByTestId('conv-wait').count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);

    // The counsellor answers: the wait is over, and the preview is her own message.
    await item(one.conversationId).click();
    const box = page.getByRole('textbox', { name: 'Message to the visitor' });
    await box.fill('I am here. Tell me more.');
    await box.press('Enter');
    await expect.poll(preview).toBe('You: I am here. Tell me more.');
    await wait.waitFor({ state: 'detached' });

    // Two messages from the child: the wait runs from the first one not answered.
    await say(one.child, one.conversationId, 'ok');
    await wait.waitFor();
    await expect.poll(seconds, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const before = await seconds();
    await say(one.child, one.conversationId, 'are you there?');
    await expect.poll(preview).toBe('are you there?');
    expect(await seconds()).toBeGreaterThanOrEqual(before);
    await page.context().close();
  });
});
