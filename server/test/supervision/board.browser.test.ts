// In Chromium: a supervisor logs in at /console and watches the board change live as a child waits,
// a counsellor takes the chat and asks for help; she opens the conversation, sees the child's message
// arrive, whispers to the counsellor and changes the counsellor's capacity. A counsellor has no board.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { agentClient, call, connected, createStaff, login, next, randomUUID, startTestEnv, widgetClient, type TestEnv } from '../helpers.js';
import { launchBrowser } from '../browser.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
async function axeViolations(page: Page): Promise<{ id: string; nodes: number }[]> {
  await page.evaluate(`${AXE_SOURCE};0`);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.length }));
  });
}

let env: TestEnv;
let browser: Browser;
beforeAll(async () => {
  env = await startTestEnv();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

async function consoleLogin(page: Page, email: string, password: string, hash: string) {
  await page.goto(`${env.url}/console/#${hash}`);
  await page.getByLabel(/E-mail/).fill(email);
  await page.getByLabel(/Password/).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Waits until the board's figure `name` shows `value`. */
const tileIs = (page: Page, name: string, value: string) =>
  page.waitForFunction(
    ([n, v]) => [...document.querySelectorAll('.tile')].some((t) => t.querySelector('dt')?.textContent === n && t.querySelector('dd')?.textContent === v),
    [name, value] as const,
  );

describe('live board in the console', () => {
  it('changes live as visitors and counsellors act, and the helping hands work', { timeout: 60_000 }, async () => {
    const supStaff = await createStaff(env.app, 'supervisor', { name: 'Sara' });
    const ana = await createStaff(env.app, 'counsellor', { name: 'Ana' });
    const anaWho = await login(env.url, ana.email, ana.password);
    const anaSock = agentClient(env.url, anaWho);
    await connected(anaSock);
    await call(anaSock, 'agent:status', { status: 'away' });

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await consoleLogin(page, supStaff.email, supStaff.password, '/board');
    await page.getByRole('heading', { name: 'Live board' }).waitFor();
    await page.locator('tr[data-state="away"]', { hasText: 'Ana' }).waitFor();
    await tileIs(page, 'Waiting', '0');

    // A child waits: the queue shows it within a second or so.
    const child = widgetClient(env.url);
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
    await page.locator('tr', { hasText: 'Ana' }).filter({ hasText: '1/3' }).first().waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // The child leaves: the conversation is no longer in progress.
    await call(child, 'conversation:end', { conversationId });
    await page.getByRole('heading', { name: 'Conversations in progress' }).locator('xpath=..').getByText('None').waitFor();
    await ctx.close();
    anaSock.disconnect();
    child.disconnect();
  });

  it('shows no board to a counsellor', { timeout: 30_000 }, async () => {
    const c = await createStaff(env.app, 'counsellor', { name: 'Carl' });
    const ctx = await browser.newContext();
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await consoleLogin(page, c.email, c.password, '/board');
    await page.getByRole('navigation').getByRole('link', { name: 'Chats' }).waitFor();
    expect(await page.getByRole('link', { name: 'Live board' }).count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Live board' }).count()).toBe(0);
    await ctx.close();
  });
});
