/// <reference lib="dom" />
// Alerts in Chromium, end to end: an analyst writes an alert in the console and submits it, a second
// analyst approves it, and a child's widget (embedded on another origin, in Bulgarian) shows it as a
// small entry that opens and closes from the keyboard, never renders its text as HTML, and stays
// dismissed after a reload. axe finds nothing on the new console page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../browser.js';
import { createStaff } from '../helpers.js';
import { axeViolations as consoleAxe } from '../console-browser.js';
import { axeViolations as widgetAxe, startWorld, widgetFrame, type WidgetWorld } from '../widget/harness.js';
import { ensureBuilt } from '../../../agent-console/test/build.js';

let world: WidgetWorld;
let browser: Browser;

beforeAll(async () => {
  ensureBuilt('agent-console', 'index.html');
  world = await startWorld();
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await world?.close();
});

async function consolePage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  ctx.setDefaultTimeout(10_000);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  return page;
}

async function consoleLogin(page: Page, name: string) {
  const s = await createStaff(world.env.app, 'analyst', { name });
  await page.goto(`${world.env.url}/console/#/alerts`);
  await page.getByLabel(/E-mail/).fill(s.email);
  await page.getByLabel(/Password/).fill(s.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { name: 'Trend alerts' }).waitFor();
}

const TITLE_BG = 'Фалшиви <b>пратки</b>';

describe('an alert from the console to the child', () => {
  it('is written, approved by a second analyst, shown in the widget and dismissed', { timeout: 90_000 }, async () => {
    const a = await consolePage();
    await consoleLogin(a, 'Ana Writer');
    const texts: Record<string, [string, string, string]> = {
      en: ['Fake <b>parcels</b>', 'Messages about a parcel ask for card details.', 'Do not click. Tell an adult you trust.'],
      bg: [TITLE_BG, 'Съобщения за пратка искат данни от карта.', 'Не отваряй линка. Кажи на възрастен.'],
      'sr-Cyrl': ['Лажни пакети', 'Поруке о пакету траже податке са картице.', 'Не отварај линк. Реци одраслој особи.'],
    };
    await a.getByLabel('Severity').selectOption('urgent');
    for (const [l, [title, text, advice]] of Object.entries(texts)) {
      await a.locator(`input[name="title-${l}"]`).fill(title);
      await a.locator(`textarea[name="text-${l}"]`).fill(text);
      await a.locator(`textarea[name="advice-${l}"]`).fill(advice);
    }
    await a.getByRole('button', { name: 'Save draft' }).click();
    const row = a.getByTestId('alert-row').filter({ hasText: 'Fake <b>parcels</b>' });
    await row.filter({ hasText: 'Draft' }).waitFor();
    await a.getByRole('button', { name: 'Submit “Fake <b>parcels</b>” for approval' }).click();
    await row.filter({ hasText: 'Awaiting approval' }).waitFor();
    // The author is not offered the approval, only the wait for a second person.
    expect(await a.getByRole('button', { name: /^Approve/ }).count()).toBe(0);
    await row.getByText('A second person approves it').waitFor();
    expect(await consoleAxe(a)).toEqual([]);

    // Nothing public before the approval.
    expect((await (await fetch(`${world.env.url}/api/public/alerts?lang=bg`)).json()).alerts).toEqual([]);

    const b = await consolePage();
    await consoleLogin(b, 'Boris Approver');
    const bRow = b.getByTestId('alert-row').filter({ hasText: 'Fake <b>parcels</b>' });
    await bRow.getByText('Ana Writer').waitFor();
    await b.getByRole('button', { name: 'Approve and publish “Fake <b>parcels</b>”' }).click();
    await bRow.filter({ hasText: 'Published' }).getByText('Boris Approver').waitFor();
    expect(await consoleAxe(b)).toEqual([]);

    // The child, on the centre's site in Bulgarian.
    const childCtx = await browser.newContext({ viewport: { width: 390, height: 740 } });
    childCtx.setDefaultTimeout(10_000);
    const child = await childCtx.newPage();
    await child.goto(world.host.page({ lang: 'bg' }));
    let frame = await widgetFrame(child);
    await frame.locator('.launcher').click();
    const entry = frame.getByTestId('alert-entry');
    await entry.waitFor();
    expect(await entry.getAttribute('lang')).toBe('bg');
    // Text, never markup: the tags show as written and no element is made of them.
    expect(await entry.locator('summary').textContent()).toContain(TITLE_BG);
    expect(await entry.locator('b').count()).toBe(0);
    // Folded: the start button stays in view above the fold of a phone.
    expect(await frame.locator('p', { hasText: 'Съобщения за пратка' }).isVisible()).toBe(false);
    await frame.locator('form.stack button[type=submit]').scrollIntoViewIfNeeded();
    expect(await frame.locator('form.stack button[type=submit]').isVisible()).toBe(true);
    expect(await widgetAxe(frame)).toEqual([]);

    // Keyboard: open it, then dismiss it.
    await entry.locator('summary').focus();
    await child.keyboard.press('Enter');
    await frame.locator('p', { hasText: 'Съобщения за пратка' }).waitFor();
    await frame.getByText('Не отваряй линка. Кажи на възрастен.').waitFor();
    await child.keyboard.press('Tab');
    expect(await frame.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Скрий този сигнал: ${TITLE_BG}`);
    await child.keyboard.press('Enter');
    await entry.waitFor({ state: 'detached' });

    // Remembered in the widget's storage: gone after a reload too.
    await child.reload();
    frame = await widgetFrame(child);
    // The widget remembers that it was open; open it if it is not.
    if (await frame.locator('.launcher').count()) await frame.locator('.launcher').click();
    await frame.locator('form.stack button[type=submit]').waitFor();
    await frame.waitForLoadState('networkidle');
    expect(await frame.getByTestId('alert-entry').count()).toBe(0);
    for (const p of [a, b, child]) await p.context().close();
  });
});
