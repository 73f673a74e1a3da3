// In Chromium: the public report form and its pick-up check in Serbian, in each script, with no axe
// violation; the browser's Serbian picks Cyrillic; the reporter's e-mail speaks the report's language.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { startTestEnv, type TestEnv } from '../helpers.js';
import { launchBrowser } from '../browser.js';
import { axeViolations } from '../console-browser.js';
import { hotlineReports } from '../../src/hotline/tables.js';
import { feedbackMail } from '../../src/hotline/mailer.js';

let env: TestEnv;
let browser: Browser;
beforeAll(async () => {
  env = await startTestEnv({ HOTLINE_POW_BITS: '6' });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await env?.close();
});

const CASES = [
  { lang: 'sr-Cyrl', h1: 'Пријава незаконитог садржаја', urls: 'Веб адреса или адресе (URL)', submit: 'Пошаљи пријаву', ref: 'Ознака (HR-…)', code: 'Код за преузимање', check: 'Провери стање', received: 'Примљена, чека аналитичара' },
  { lang: 'sr-Latn', h1: 'Prijava nezakonitog sadržaja', urls: 'Veb adresa ili adrese (URL)', submit: 'Pošalji prijavu', ref: 'Oznaka (HR-…)', code: 'Kod za preuzimanje', check: 'Proveri stanje', received: 'Primljena, čeka analitičara' },
] as const;

describe('the report form in Serbian', () => {
  it.each(CASES)('files a report and checks its status in $lang', { timeout: 60_000 }, async (c) => {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 } });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await page.goto(`${env.url}/report?lang=${c.lang}`);
    expect(await page.locator('h1').textContent()).toBe(c.h1);
    expect(await page.locator('html').getAttribute('lang')).toBe(c.lang);
    expect(await axeViolations(page)).toEqual([]);
    const body = await page.locator('main').innerText();
    // Each script on its own page: no Latin word on the Cyrillic page beyond URLs and codes, no Cyrillic on the Latin one.
    if (c.lang === 'sr-Latn') expect(body).not.toMatch(/\p{Script=Cyrillic}/u);
    else expect(body.replace(/https?:\/\/|URL|HR-|JavaScript/g, '')).not.toMatch(/\p{Script=Latin}{2,}/u);

    await page.getByLabel(c.urls).fill(`https://bad.example/${c.lang}/${Date.now()}`);
    await page.getByRole('button', { name: c.submit }).click();
    await page.locator('#sent').waitFor({ state: 'visible' });
    const reference = (await page.locator('#sent-reference').textContent())!;
    const code = (await page.locator('#sent-code').textContent())!;
    const [row] = await env.app.db.select().from(hotlineReports).where(eq(hotlineReports.reference, reference));
    expect(row?.language).toBe(c.lang);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel(c.ref).fill(reference);
    await page.getByLabel(c.code).fill(code);
    await page.getByRole('button', { name: c.check }).click();
    await expect(page.locator('#status-text').textContent()).resolves.toContain(c.received);
    expect(await axeViolations(page)).toEqual([]);
    await ctx.close();
  });

  it('opens in Serbian Cyrillic for a browser asking for Serbian, and links to the other languages', async () => {
    const ctx = await browser.newContext({ locale: 'sr-RS' });
    const page = await ctx.newPage();
    await page.goto(`${env.url}/report`);
    expect(await page.locator('html').getAttribute('lang')).toBe('sr-Cyrl');
    const links = await page.locator('header nav a').evaluateAll((as) => as.map((a) => [a.getAttribute('hreflang'), a.textContent]));
    expect(links).toEqual([
      ['bg', 'Български'],
      ['sr-Latn', 'Srpski (latinica)'],
      ['en', 'English'],
    ]);
    await ctx.close();
  });

  it('writes the reporter\'s e-mail in the report\'s language and script', () => {
    expect(feedbackMail('HR-ABC123', 'content_removed', 'sr-Cyrl')).toEqual({ subject: 'Ваша пријава HR-ABC123', text: 'Хвала на пријави. Садржај који сте пријавили је уклоњен.\n\nHR-ABC123\n\nТим линије за пријаву садржаја\n' });
    expect(feedbackMail('HR-ABC123', 'content_removed', 'sr-Latn')).toEqual({ subject: 'Vaša prijava HR-ABC123', text: 'Hvala na prijavi. Sadržaj koji ste prijavili je uklonjen.\n\nHR-ABC123\n\nTim linije za prijavu sadržaja\n' });
    expect(feedbackMail('HR-ABC123', 'forwarded', 'bg')?.subject).toBe('Вашият сигнал HR-ABC123');
  });
});
