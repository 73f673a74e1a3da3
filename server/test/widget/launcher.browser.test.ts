/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Browser-side callbacks (page.evaluate) use the DOM types.
// The loader's own launcher, drawn before the iframe app has loaded (issue 21 item 6): the app's
// script is held back with page.route, and the launcher is there all the same, labelled in the page's
// language, focusable with a visible ring, 44 px or more, untouched by the host page's styles; a tap
// shows "opening…", and the start screen once the app's script is let through. Not timed: the times
// are `pnpm bench widget`'s.
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { eventually } from '../helpers.js';
import { startHostSite, useWidgetSuite } from './harness.js';

const suite = useWidgetSuite();

const APP_SCRIPT = '**/widget/assets/*.js';
const standIn = (page: Page) => page.locator('[data-helpline-launcher]');
const iframe = (page: Page) => page.locator('iframe[data-helpline-widget]');

/** A page whose widget app cannot start until `release()`: its script request is held. */
async function heldApp(context: BrowserContext): Promise<{ page: Page; release(): void; requested: Promise<void> }> {
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  let requested = () => {};
  const asked = new Promise<void>((r) => (requested = r));
  await page.route(APP_SCRIPT, async (route) => {
    requested();
    await held;
    await route.continue();
  });
  return { page, release, requested: asked };
}

describe("the loader's launcher, before the app has loaded", () => {
  it('is there, labelled, focusable and unstyled by the page; a tap shows "opening…", then the start screen', async () => {
    const context = await suite.browser.newContext({ viewport: { width: 360, height: 740 }, hasTouch: true });
    const { page, release, requested } = await heldApp(context);
    await page.goto(suite.world.host.page());
    await requested;
    const button = page.getByRole('button', { name: 'Chat with us' });
    await button.waitFor();
    expect(await iframe(page).isVisible()).toBe(false);
    const box = (await button.boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(44);
    expect(box.height).toBeGreaterThanOrEqual(44);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
    // The host page's `button { background: yellow !important }` does not reach it.
    expect(await button.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe('rgb(31, 95, 168)');
    expect(await button.getAttribute('aria-expanded')).toBe('false');

    // Keyboard: Tab from the page reaches it, with a visible ring.
    await page.locator('main h1').click();
    await page.keyboard.press('Tab');
    await eventually(async () => button.evaluate((b) => (b.getRootNode() as ShadowRoot).activeElement === b));
    expect(await button.evaluate((b) => getComputedStyle(b).outlineStyle)).toBe('solid');

    await button.tap();
    const opening = page.getByRole('status');
    await opening.waitFor();
    expect(await opening.textContent()).toBe('Opening…');
    expect(await opening.evaluate((s) => (s.getRootNode() as ShadowRoot).activeElement === s)).toBe(true);
    // Animated (no reduced motion asked for here).
    expect(await opening.evaluate((s) => s.getAnimations().length)).toBe(1);
    const ob = (await opening.boundingBox())!;
    expect([ob.x, ob.y, ob.width, ob.height]).toEqual([0, 0, 360, 740]);

    release();
    const frame = (await (await page.waitForSelector('iframe[data-helpline-widget]', { state: 'attached' })).contentFrame())!;
    await frame.getByRole('button', { name: 'Start the chat' }).waitFor();
    await eventually(async () => (await standIn(page).count()) === 0);
    expect(await iframe(page).isVisible()).toBe(true);
    const fb = (await iframe(page).boundingBox())!;
    expect([fb.width, fb.height]).toEqual([360, 740]);
    // Focus went with the child into the app's panel.
    await eventually(async () => (await frame.evaluate(() => document.activeElement?.id)) === 'hl-title');
    await context.close();
  });

  it("speaks the page's language, and hands the keyboard focus to the app's launcher when the app is ready", async () => {
    const context = await suite.browser.newContext();
    const { page, release, requested } = await heldApp(context);
    await page.goto(suite.world.host.page({ lang: 'bg' }));
    await requested;
    const button = page.getByRole('button', { name: 'Пиши ни' });
    await button.waitFor();
    expect(await button.getAttribute('lang')).toBe('bg');
    await button.focus();
    release();
    const frame = (await (await page.waitForSelector('iframe[data-helpline-widget]', { state: 'attached' })).contentFrame())!;
    await frame.locator('.launcher').waitFor();
    await eventually(async () => (await standIn(page).count()) === 0);
    await eventually(async () => (await frame.evaluate(() => document.activeElement?.className)) === 'launcher');
    expect(await frame.locator('.launcher').textContent()).toBe('Пиши ни');
    // Enter opens the app as the app's own launcher does.
    await page.keyboard.press('Enter');
    await frame.getByRole('button', { name: 'Започни чата' }).waitFor();
    await context.close();
  });

  it('does not pulse "opening…" for those who asked for less motion', async () => {
    const context = await suite.browser.newContext({ reducedMotion: 'reduce' });
    const { page, release, requested } = await heldApp(context);
    await page.goto(suite.world.host.page());
    await requested;
    await page.getByRole('button', { name: 'Chat with us' }).click();
    const opening = page.getByRole('status');
    await opening.waitFor();
    expect(await opening.evaluate((s) => s.getAnimations().length)).toBe(0);
    release();
    await context.close();
  });

  it('goes away on a site that is not allowed, whether the platform says so or cannot be asked', async () => {
    const site = await startHostSite(() => suite.world.env.url);
    for (const ask of ['answered', 'blocked'] as const) {
      const context = await suite.browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      let release = () => {};
      const held = new Promise<void>((r) => (release = r));
      await page.route('**/api/widget/allowed', async (route) => {
        await held;
        await (ask === 'answered' ? route.continue() : route.abort());
      });
      await page.goto(site.page());
      await page.getByRole('button', { name: 'Chat with us' }).waitFor();
      release();
      await eventually(async () => (await standIn(page).count()) === 0);
      expect(await iframe(page).isVisible()).toBe(false);
      await context.close();
    }
    await site.close();
  });
});
