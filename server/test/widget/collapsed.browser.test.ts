/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Browser-side callbacks (page.evaluate) use the DOM types.
// The collapsed widget: the quick exit stays in reach (a button beside the launcher while a chat
// exists, Esc twice anywhere on the host page, even when the app does not answer), it leaves nothing
// behind (draft included), and the launcher's unread count survives a reload without recounting.
import { describe, expect, it } from 'vitest';
import type { Frame, Locator, Page } from 'playwright-core';
import { call, eventually, next, randomUUID } from '../helpers.js';
import { axeViolations, counsellor, send, startChat, widgetFrame, useWidgetSuite, chatting } from './harness.js';

const suite = useWidgetSuite();

async function minimise(frame: Frame): Promise<void> {
  await frame.getByRole('button', { name: 'Minimise the chat' }).click();
  await frame.locator('.launcher').waitFor();
}

/**
 * Collapsed, the frame is the box of what it shows (within a pixel of rounding), and a click just
 * beside it, left of it or above it, reaches the host page, not the frame.
 */
async function expectFrameHugs(page: Page, parts: Locator[]): Promise<void> {
  await eventually(async () => {
    const fb = (await iframe(page).boundingBox())!;
    const boxes = (await Promise.all(parts.map((p) => p.boundingBox()))).map((b) => b!);
    const left = Math.min(...boxes.map((b) => b.x));
    const top = Math.min(...boxes.map((b) => b.y));
    const right = Math.max(...boxes.map((b) => b.x + b.width));
    const bottom = Math.max(...boxes.map((b) => b.y + b.height));
    return Math.abs(fb.x - left) <= 1 && Math.abs(fb.y - top) <= 1 && Math.abs(fb.x + fb.width - right) <= 1 && Math.abs(fb.y + fb.height - bottom) <= 1;
  });
  const fb = (await iframe(page).boundingBox())!;
  await page.evaluate(() => {
    const w = window as unknown as { clicks?: string[] };
    if (!w.clicks) document.addEventListener('click', (e) => w.clicks!.push((e.target as Element).tagName), true);
    w.clicks = [];
  });
  const beside: [number, number][] = [
    [fb.x - 3, fb.y + fb.height / 2],
    [fb.x + fb.width - 10, fb.y - 3],
    [fb.x + 10, fb.y - 3],
  ];
  for (const [x, y] of beside) {
    expect(await page.evaluate(([px, py]) => document.elementFromPoint(px!, py!)?.tagName, [x, y]), `at ${x},${y}`).not.toBe('IFRAME');
    await page.mouse.click(x, y);
  }
  // Real clicks, not only hit tests: the page heard every one.
  expect(await page.evaluate(() => (window as unknown as { clicks: string[] }).clicks.length)).toBe(beside.length);
}

const storedKeys = (frame: Frame) => frame.evaluate(() => Object.keys(sessionStorage).concat(Object.keys(localStorage)));
const iframe = (page: Page) => page.locator('iframe[data-helpline-widget]');

/** Back on the centre's site in the same tab: nothing of the chat is left in the widget's storage. */
async function expectNothingLeft(page: Page): Promise<void> {
  await page.goto(suite.world.host.page());
  const again = await widgetFrame(page);
  expect(await storedKeys(again)).toEqual([]);
  expect(await again.locator('.dock .exit').count()).toBe(0);
  await again.locator('.launcher').click();
  await again.getByRole('button', { name: 'Start the chat' }).waitFor();
  expect(await again.locator('.msg').count()).toBe(0);
}

describe('quick exit while collapsed', () => {
  it('Esc twice on the host page ends the session, wipes storage with the draft, replaces the page', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto('about:blank');
    const { c, conv, frame } = await chatting(suite.world, page, 'Tea');
    await send(frame, 'secret');
    await frame.locator('.msg.visitor .meta', { hasText: 'Delivered' }).waitFor();
    await frame.locator('#hl-composer').fill('half-written, never sent');
    const token = await frame.evaluate(() => sessionStorage.getItem('hl.token'));
    expect(token).toBeTruthy();
    expect(await frame.evaluate((id) => sessionStorage.getItem(`hl.draft:${id}`), conv.id)).toBe('half-written, never sent');
    await minimise(frame);

    // Focus on the host page, not in the iframe: the loader's listener, not the app's.
    await page.locator('main h1').click();
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('BODY');
    const ended = next(c.agent, 'conversation:updated', (x: any) => x.id === conv.id && x.state !== 'active');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForURL(suite.world.host.neutralUrl);
    expect((await ended).state).toBe('wrapup');
    await eventually(async () => (await suite.world.env.app.conversations.visitorByToken(token!)) === null);
    // Back skips the replaced page with the chat.
    await page.goBack().catch(() => null);
    expect(page.url()).toBe('about:blank');

    await expectNothingLeft(page);
    await c.close();
    await context.close();
  });

  it('shows a labelled quick-exit button beside the launcher while a chat exists, reachable by keyboard at 360 px', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(suite.world.host.page());
    let frame = await widgetFrame(page);
    // No chat yet: the launcher alone, and the frame no bigger than it.
    expect(await frame.locator('.dock .exit').count()).toBe(0);
    await expectFrameHugs(page, [frame.locator('.launcher')]);

    const c = await counsellor(suite.world.env, 'Lea');
    const assigned = next(c.agent, 'conversation:assigned');
    await startChat(frame);
    const conv = await assigned;
    await frame.locator('#hl-composer').fill('do not keep this');
    await minimise(frame);
    const exit = frame.locator('.dock').getByRole('button', { name: 'Quick exit' });
    await exit.waitFor();
    expect(await exit.getAttribute('aria-describedby')).toBe('hl-exit-hint');
    // The frame grew to exactly the two buttons: both fully inside it, it inside the 360 px screen.
    await expectFrameHugs(page, [exit, frame.locator('.launcher')]);
    const fb = (await iframe(page).boundingBox())!;
    expect(fb.x).toBeGreaterThanOrEqual(0);
    expect(fb.x + fb.width).toBeLessThanOrEqual(360);
    for (const b of [exit, frame.locator('.launcher')]) {
      const bb = (await b.boundingBox())!;
      expect(bb.x).toBeGreaterThanOrEqual(fb.x);
      expect(bb.x + bb.width).toBeLessThanOrEqual(fb.x + fb.width);
      expect(bb.y + bb.height).toBeLessThanOrEqual(fb.y + fb.height);
      expect(bb.height).toBeGreaterThanOrEqual(44);
    }
    // Contrast, names and roles (axe), in the collapsed state.
    expect(await axeViolations(frame), 'axe on the collapsed launcher with quick exit').toEqual([]);

    // After a reload (still collapsed) it is there at once, before the chat has even been resumed.
    await page.reload();
    frame = await widgetFrame(page);
    await frame.locator('.dock .exit').waitFor();

    // Keyboard: from the host page, Tab reaches the quick exit first, Enter leaves.
    await page.locator('main h1').click();
    await page.keyboard.press('Tab');
    await eventually(async () => (await frame.evaluate(() => document.activeElement?.textContent)) === 'Quick exit');
    const ended = next(c.agent, 'conversation:updated', (x: any) => x.id === conv.id && x.state !== 'active');
    await page.keyboard.press('Enter');
    await page.waitForURL(suite.world.host.neutralUrl);
    expect((await ended).state).toBe('wrapup');

    await expectNothingLeft(page);
    await c.close();
    await context.close();
  });

  it('Esc twice on the host page leaves by itself when the app does not answer', async () => {
    const context = await suite.browser.newContext();
    // An app that never hears the request (hung, or the message lost): a listener registered before
    // the app's own swallows it.
    await context.addInitScript(() => {
      window.addEventListener('message', (e) => {
        if ((e.data as { type?: unknown } | null)?.type === 'quick-exit') e.stopImmediatePropagation();
      });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(suite.world.host.page());
    const frame = await widgetFrame(page);
    // The loader has the centre's exit URL once the app said `ready` (it titles the frame).
    await page.locator('iframe[title="Chat with a counsellor"]').waitFor();
    await frame.evaluate(() => sessionStorage.setItem('hl.marker', '1'));
    await page.locator('main h1').click();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForURL(suite.world.host.neutralUrl);
    // The app never wiped its storage: the loader left on its own.
    await page.goto(suite.world.host.page());
    const again = await widgetFrame(page);
    expect(await again.evaluate(() => sessionStorage.getItem('hl.marker'))).toBe('1');
    await context.close();
  });
});

describe('unread count on the collapsed launcher', () => {
  it('counts only counsellor messages newer than what the child saw, also after reloads', async () => {
    const context = await suite.browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    const { c, conv, frame: f } = await chatting(suite.world, page, 'Vera');
    let frame = f;
    const say = async (body: string) => {
      const r = await call(c.agent, 'message:send', { conversationId: conv.id, clientMsgId: randomUUID(), body });
      expect(r.ok, JSON.stringify(r)).toBe(true);
    };
    const badge = () => frame.locator('.launcher .badge');

    await say('first');
    await frame.locator('.msg.counsellor', { hasText: 'first' }).waitFor();
    await minimise(frame);
    expect(await badge().count()).toBe(0);
    await say('second');
    await badge().waitFor();
    expect(await badge().textContent()).toBe('1 new');

    // Reload, collapsed: the resumed transcript holds both, the child saw only the first.
    await page.reload();
    frame = await widgetFrame(page);
    await badge().waitFor();
    expect(await badge().textContent()).toBe('1 new');

    // Opened: everything is seen. Collapsed and reloaded: nothing counts until something new comes.
    await frame.locator('.launcher').click();
    await frame.locator('.msg.counsellor', { hasText: 'second' }).waitFor();
    await minimise(frame);
    expect(await badge().count()).toBe(0);
    await page.reload();
    frame = await widgetFrame(page);
    await frame.locator('.dock .exit').waitFor();
    await say('third');
    await badge().waitFor();
    expect(await badge().textContent()).toBe('1 new');
    await say('fourth');
    await frame.locator('.launcher .badge', { hasText: '2 new' }).waitFor();

    // The count is kept in the tab's session storage only, and quick exit wipes it with the rest.
    expect(await frame.evaluate((id) => sessionStorage.getItem(`hl.seen:${id}`), conv.id)).toMatch(/^\d+$/);
    await frame.locator('.dock .exit').click();
    await page.waitForURL(suite.world.host.neutralUrl);
    await expectNothingLeft(page);
    await c.close();
    await context.close();
  });
});
