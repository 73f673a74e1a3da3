// In Chromium: a supervisor logs in and lands on the live board (a counsellor on her chats); on the
// board each counsellor's time in state is a duration that ticks, and starts again at every change of
// state, available -> busy -> available included.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { agentClient, call, connected, createStaff, login, next, widgetClient } from '../helpers.js';
import { axeViolations, useConsoleSuite } from '../console-browser.js';

// No periodic refresh of the board: between two changes, only the page itself can make a duration tick.
const suite = useConsoleSuite({ BOARD_REFRESH_MS: '0' });

/** The seconds shown in the "Time in state" cell of `name`'s row while in `state` ("7 s", "1 min 5 s"). */
async function inState(page: Page, name: string, state: string): Promise<number> {
  const cell = page.locator(`tr[data-state="${state}"]`, { hasText: name }).locator('td.time-in-state');
  const text = (await cell.textContent()) ?? '';
  const m = /^(?:(\d+) h )?(?:(\d+) min )?(\d+) s$|^(\d+) h (\d+) min$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text}`);
  return Number(m[1] ?? m[4] ?? 0) * 3600 + Number(m[2] ?? m[5] ?? 0) * 60 + Number(m[3] ?? 0);
}

/** Waits until `name`'s time in `state` satisfies `ok`. */
async function inStateUntil(page: Page, name: string, state: string, ok: (s: number) => boolean): Promise<number> {
  await page.locator(`tr[data-state="${state}"]`, { hasText: name }).waitFor();
  let last = -1;
  await expect.poll(async () => ok((last = await inState(page, name, state))), { timeout: 15_000, interval: 200 }).toBe(true);
  return last;
}

describe('the supervisor’s working day on the board', () => {
  it('lands a supervisor on the board and a counsellor on her chats', { timeout: 30_000 }, async () => {
    const sup = await createStaff(suite.env.app, 'supervisor', { name: 'Vesna' });
    const c = await createStaff(suite.env.app, 'counsellor', { name: 'Kalina' });
    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, sup.email, sup.password, '');
    await page.getByRole('heading', { name: 'Live board' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Live board' }).and(page.locator('[aria-current="page"]')).waitFor();
    expect(new URL(page.url()).hash).toBe('#/board');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel(/E-mail/).fill(c.email);
    await page.getByLabel(/Password/).fill(c.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Chats' }).and(page.locator('[aria-current="page"]')).waitFor();
    expect(await page.getByRole('heading', { name: 'Live board' }).count()).toBe(0);
    await ctx.close();
  });

  it('shows each counsellor’s time in state, ticking, and starting again at every change', { timeout: 90_000 }, async () => {
    const sup = await createStaff(suite.env.app, 'supervisor', { name: 'Sara' });
    const ana = await createStaff(suite.env.app, 'counsellor', { name: 'Ana', languages: ['bg'] });
    const anaSock = agentClient(suite.env.url, await login(suite.env.url, ana.email, ana.password));
    await connected(anaSock);
    await call(anaSock, 'agent:status', { status: 'away' });

    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, sup.email, sup.password, '');
    await page.getByRole('heading', { name: 'Live board' }).waitFor();
    await page.getByRole('columnheader', { name: 'Time in state' }).waitFor();

    // Away: the duration ticks on the page by itself.
    const first = await inStateUntil(page, 'Ana', 'away', () => true);
    await inStateUntil(page, 'Ana', 'away', (s) => s >= first + 2);

    // Available: starts again, and ticks up to a few seconds.
    await call(anaSock, 'agent:status', { status: 'available' });
    await inStateUntil(page, 'Ana', 'available', (s) => s <= 2);
    await inStateUntil(page, 'Ana', 'available', (s) => s >= 3);

    // A child waits and is offered to Ana: busy, from zero again, although her status stayed "available".
    const child = widgetClient(suite.env.url);
    await connected(child);
    const offerP = next(anaSock, 'offer:new');
    const s = await call(child, 'conversation:start', { language: 'bg', topic: 'parents' });
    if (!s.ok) throw new Error('start failed');
    const offer = await offerP;
    await inStateUntil(page, 'Ana', 'busy', (x) => x <= 2);
    await call(anaSock, 'offer:accept', { offerId: offer.offerId });
    await inStateUntil(page, 'Ana', 'busy', (x) => x >= 3);
    expect(await axeViolations(page)).toEqual([]);

    // The child leaves: Ana is free again (after any wrap-up), and the time starts again.
    await call(child, 'conversation:end', { conversationId: s.data.conversation.id });
    await page.locator('tr[data-state="available"], tr[data-state="wrapup"]', { hasText: 'Ana' }).waitFor();
    const state = (await page.locator('tr', { hasText: 'Ana' }).first().getAttribute('data-state'))!;
    expect(await inStateUntil(page, 'Ana', state, (x) => x <= 2)).toBeLessThanOrEqual(2);
    await ctx.close();
    anaSock.disconnect();
    child.disconnect();
  });
});
