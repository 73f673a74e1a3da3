// axe-core finds no WCAG 2 A/AA violation on any console page in any of the four languages: the login
// page and every section of the supervisor, analyst and admin (each admin tab), with <html lang> set to
// the language shown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES } from '@helpline/shared';
import { launchBrowser } from '../../server/test/browser.js';
import { axeViolations } from '../../server/test/console-browser.js';
import { createStaff, startTestEnv, type TestEnv } from '../../server/test/helpers.js';
import { ensureBuilt } from './build.js';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;

let env: TestEnv;
let browser: Browser;
beforeAll(async () => {
  ensureBuilt('agent-console', 'index.html');
  env = await startTestEnv({ CENTRE_PROFILE: 'sr' });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

describe.each(LANGUAGES)('the console in %s', (lang) => {
  it('has no axe violation on any page', { timeout: 120_000 }, async () => {
    const found: string[] = [];
    for (const role of ['counsellor', 'supervisor', 'analyst', 'admin'] as const) {
      const who = await createStaff(env.app, role);
      const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      ctx.setDefaultTimeout(10_000);
      await ctx.addInitScript((l) => localStorage.setItem('helpline.console.lang', l), lang);
      const page = await ctx.newPage();
      await page.goto(`${env.url}/console/`);
      await page.locator('input[type="password"]').waitFor();
      expect(await page.locator('html').getAttribute('lang')).toBe(lang);
      if (role === 'counsellor') for (const v of await axeViolations(page)) found.push(`login ${v.id}`);
      await page.locator('input[type="email"]').fill(who.email);
      await page.locator('input[type="password"]').fill(who.password);
      await page.locator('button[type="submit"]').click();
      await page.locator('nav.mainnav a').first().waitFor();
      const hrefs = await page.locator('nav.mainnav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
      for (const href of hrefs) {
        await page.evaluate((h) => (location.hash = h), href);
        await page.locator(`nav.mainnav a[href="${href}"][aria-current="page"]`).waitFor();
        await page.waitForLoadState('networkidle');
        for (const v of await axeViolations(page)) found.push(`${role} ${href} ${v.id}`);
        if (href === '#/admin') {
          for (const tab of await page.locator('[role="tab"]').all()) {
            await tab.click();
            await page.waitForLoadState('networkidle');
            for (const v of await axeViolations(page)) found.push(`${role} ${href} ${await tab.textContent()} ${v.id}`);
          }
        }
      }
      await ctx.close();
    }
    expect(found).toEqual([]);
  });
});
