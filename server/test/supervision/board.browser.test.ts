// In Chromium: a supervisor logs in at /console and watches the board change live as a child waits,
// a counsellor takes the chat and asks for help; she opens the conversation, sees the child's message
// arrive, whispers to the counsellor and changes the counsellor's capacity. A counsellor has no board.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { agentClient, call, connected, createStaff, login, next, randomUUID, widgetClient } from '../helpers.js';
import { axeViolations, useConsoleSuite } from '../console-browser.js';

const suite = useConsoleSuite();

/** Waits until the board's figure `name` shows `value`. */
const tileIs = (page: Page, name: string, value: string) =>
  page.waitForFunction(
    ([n, v]) => [...document.querySelectorAll('.tile')].some((t) => t.querySelector('dt')?.textContent === n && t.querySelector('dd')?.textContent === v),
    [name, value] as const,
  );

describe('live board in the console', () => {
  it('changes live as visitors and counsellors act, and the helping hands work', { timeout: 60_000 }, async () => {
    const supStaff = await createStaff(suite.env.app, 'supervisor', { name: 'Sara' });
    const ana = await createStaff(suite.env.app, 'counsellor', { name: 'Ana' });
    const anaWho = await login(suite.env.url, ana.email, ana.password);
    const anaSock = agentClient(suite.env.url, anaWho);
    await connected(anaSock);
    await call(anaSock, 'agent:status', { status: 'away' });

    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, supStaff.email, supStaff.password, '/board');
    await page.getByRole('heading', { name: 'Live board' }).waitFor();
    await page.locator('tr[data-state="away"]', { hasText: 'Ana' }).waitFor();
    await tileIs(page, 'Waiting', '0');

    // A child waits: the queue shows it within a second or so.
    const child = widgetClient(suite.env.url);
    await connected(child);
    const s = await call(child, 'conversation:start', { language: 'bg', topic: 'parents' });
    if (!s.ok) throw new Error('start failed');
    const conversationId = s.data.conversation.id as string;
    await tileIs(page, 'Waiting', '1');
    const queue = page.getByRole('table', { name: 'Queue by language, topic and priority' });
    await queue.getByRole('row', { name: /Bulgarian Parents normal 1/ }).waitFor();

    // Ana becomes available and accepts: in progress, answered today.
    const offerP = next(anaSock, 'offer:new');
    await call(anaSock, 'agent:status', { status: 'available' });
    const offer = await offerP;
    await call(anaSock, 'offer:accept', { offerId: offer.offerId });
    const live = page.getByRole('table', { name: 'Conversations in progress' });
    await live.getByRole('row', { name: /Ana/ }).waitFor();
    await tileIs(page, 'Answered today', '1');
    await tileIs(page, 'Waiting', '0');

    // Ana asks for help: a visible alert.
    await call(anaSock, 'conversation:help', { conversationId });
    await page.getByRole('alert').filter({ hasText: 'A counsellor asks for help' }).waitFor();

    // Open the conversation read-only: the child's next message appears; a whisper reaches Ana only.
    await live.getByRole('link', { name: `Open conversation ${conversationId.slice(0, 8)}` }).click();
    await page.getByText('You are watching. Nobody in the conversation is told.').waitFor();
    const childEvents: string[] = [];
    child.onAny((e) => childEvents.push(e));
    await call(child, 'message:send', { conversationId, clientMsgId: randomUUID(), body: '<b>not bold</b> please help' });
    await page.locator('.msg-body', { hasText: '<b>not bold</b> please help' }).waitFor();
    expect(await page.locator('.messages b').count()).toBe(0);
    const whisper = next(anaSock, 'note:new', (n: any) => n.whisper === true);
    await page.getByLabel('Whisper to the counsellor').fill('Ask who else knows');
    await page.getByRole('button', { name: 'Send whisper' }).click();
    expect((await whisper).body).toBe('Ask who else knows');
    await page.locator('.note-body', { hasText: 'Ask who else knows' }).waitFor();
    expect(childEvents.filter((e) => e !== 'typing')).not.toContain('note:new');
    expect(await axeViolations(page)).toEqual([]);

    // Back on the board: change Ana's capacity.
    await page.getByRole('link', { name: 'Back to the board' }).click();
    const capacity = next(anaSock, 'agent:state', (st: any) => st.capacity === 3);
    await page.getByRole('spinbutton', { name: 'Capacity of Ana', exact: true }).fill('3');
    await page.getByRole('button', { name: 'Set capacity of Ana' }).click();
    await capacity;
    await page.locator('tr', { hasText: 'Ana' }).filter({ hasText: '1 / 3' }).first().waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The child leaves: the conversation is no longer in progress.
    await call(child, 'conversation:end', { conversationId });
    await page.getByRole('heading', { name: 'Conversations in progress' }).locator('xpath=..').getByText('None').waitFor();
    await ctx.close();
    anaSock.disconnect();
    child.disconnect();
  });

  it('shows no board to a counsellor', { timeout: 30_000 }, async () => {
    const c = await createStaff(suite.env.app, 'counsellor', { name: 'Carl' });
    const ctx = await suite.browser.newContext();
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, c.email, c.password, '/board');
    await page.getByRole('navigation').getByRole('link', { name: 'Chats' }).waitFor();
    expect(await page.getByRole('link', { name: 'Live board' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Live board' }).count()).toBe(0);
    await ctx.close();
  });
});
