/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Browser-side callbacks (page.evaluate) use the DOM types.
// Safety of the widget in a real browser: quick exit (button and Esc twice), message text never
// becomes HTML (XSS corpus), links stay text, languages from the host page, axe on every screen at
// 360 px (and on the start, message, answer and chat screens in each of the four languages), and a site
// that is not allowed cannot frame it.
import { describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import { call, eventually, next, randomUUID } from '../helpers.js';
import { axeViolations, bubbles, counsellor, send, startChat, startHostSite, widgetFrame, useWidgetSuite, chatting } from './harness.js';
import { translate, type Key } from '../../../web-widget/src/app/i18n/index.js';

const suite = useWidgetSuite();

describe('quick exit', () => {
  for (const how of ['button', 'Esc twice'] as const) {
    it(`by ${how}: ends the session, wipes storage, replaces the host page`, async () => {
      const context = await suite.browser.newContext();
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      await page.goto('about:blank');
      const { c, conv, frame } = await chatting(suite.world, page, how === 'button' ? 'Iva' : 'Eli');
      await send(frame, 'secret');
      await frame.locator('.msg.visitor .meta', { hasText: 'Delivered' }).waitFor();
      const token = await frame.evaluate(() => sessionStorage.getItem('hl.token'));
      expect(token).toBeTruthy();
      await frame.evaluate(() => localStorage.setItem('hl.something', '1'));

      const ended = next(c.agent, 'conversation:updated', (x: any) => x.id === conv.id && x.state !== 'active');
      if (how === 'button') await frame.getByRole('button', { name: 'Quick exit' }).click();
      else {
        await frame.locator('#hl-composer').focus();
        await page.keyboard.press('Escape');
        await page.keyboard.press('Escape');
      }
      await page.waitForURL(suite.world.host.neutralUrl);
      expect((await ended).state).toBe('wrapup');
      expect(await suite.world.env.app.conversations.visitorByToken(token!)).toBeNull();
      // Back does not return to the page with the chat.
      await page.goBack().catch(() => null);
      expect(page.url()).not.toContain('lang=');
      expect(page.url()).not.toBe(suite.world.host.page());

      // Same tab, the site again: nothing of the chat is left in the widget's storage.
      await page.goto(suite.world.host.page());
      const again = await widgetFrame(page);
      expect(await again.evaluate(() => [sessionStorage.length, localStorage.length])).toEqual([0, 0]);
      await again.locator('.launcher').click();
      await again.getByRole('button', { name: 'Start the chat' }).waitFor();
      expect(await again.locator('.msg').count()).toBe(0);
      await c.close();
      await context.close();
    });
  }
});

const XSS = [
  '<script>window.__xss=1</script>',
  '<img src=x onerror="window.__xss=1">',
  '<svg onload="window.__xss=1"></svg>',
  '"><iframe src="javascript:window.__xss=1"></iframe>',
  '<a href="javascript:window.__xss=1">click me</a>',
  'javascript:window.__xss=1',
  '<style>body{display:none}</style>',
  '<math><mi xlink:href="javascript:window.__xss=1">x</mi></math>',
  '&lt;b&gt;entity&lt;/b&gt; &amp;',
  '{{constructor.constructor("window.__xss=1")()}}',
  '<details open ontoggle="window.__xss=1">',
  'see https://example.com/pic.png and www.example.org/x?<b>y</b>',
];

describe('message text is never HTML', () => {
  it('shows an XSS corpus from both sides as plain text, links unlinked and never fetched', async () => {
    const page = await suite.browser.newPage();
    page.setDefaultTimeout(10_000);
    const dialogs: string[] = [];
    const external: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('request', (r) => {
      if (/example\.(com|org)|\/x$/.test(r.url())) external.push(r.url());
    });
    const { c, conv, frame } = await chatting(suite.world, page, 'Rada');
    for (const body of XSS) {
      await call(c.agent, 'message:send', { conversationId: conv.id, clientMsgId: randomUUID(), body });
    }
    for (const body of XSS.slice(0, 4)) await send(frame, body);
    await eventually(async () => (await bubbles(frame)).length === XSS.length + 4);
    expect(await bubbles(frame)).toEqual([...XSS, ...XSS.slice(0, 4)]);
    const inLog = await frame.evaluate(() => ({
      elements: [...document.querySelectorAll('.log script, .log img, .log svg, .log iframe, .log a, .log style, .log math, .log details')].length,
      xss: (window as unknown as { __xss?: number }).__xss ?? null,
      hostXss: null,
    }));
    expect(inLog).toEqual({ elements: 0, xss: null, hostXss: null });
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? null)).toBeNull();
    expect(dialogs).toEqual([]);
    expect(external).toEqual([]);
    await c.close();
    await page.close();
  });
});

describe('languages and branding', () => {
  async function launcherText(page: Page, url: string): Promise<string> {
    await page.goto(url);
    const frame = await widgetFrame(page);
    return (await frame.locator('.launcher').textContent()) ?? '';
  }

  it('follows <html lang>, then data-lang, then the browser; the switch translates everything', async () => {
    const context = await suite.browser.newContext({ locale: 'sr-RS' });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    expect(await launcherText(page, suite.world.host.page({ lang: 'bg' }))).toBe('Пиши ни');
    expect(await launcherText(page, suite.world.host.page({ lang: 'bg', dataLang: 'sr-Latn' }))).toBe('Piši nam');
    expect(await launcherText(page, suite.world.host.page({ lang: 'sr' }))).toBe('Пиши нам');
    // An unsupported page language: the browser's (sr-RS → Serbian Cyrillic).
    expect(await launcherText(page, suite.world.host.page({ lang: 'de' }))).toBe('Пиши нам');

    await suite.world.env.app.settings.set('widget', { centreName: 'Центар', primaryColor: '#ffe000' });
    await page.goto(suite.world.host.page({ lang: 'en' }));
    const frame = await widgetFrame(page);
    await frame.locator('.launcher').click();
    expect(await frame.locator('#hl-title').textContent()).toBe('Центар');
    // A light brand colour gets dark text (contrast), checked by axe below too.
    expect(await frame.locator('header.top').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(17, 17, 17)');
    await frame.locator('#hl-lang').selectOption('bg');
    await frame.getByRole('button', { name: 'Започни чата' }).waitFor();
    expect(await frame.evaluate(() => document.documentElement.lang)).toBe('bg');
    expect(await frame.getByRole('button', { name: 'Бърз изход' }).count()).toBe(1);
    await frame.locator('#hl-lang').selectOption('sr-Latn');
    await frame.getByRole('button', { name: 'Počni ćaskanje' }).waitFor();
    await suite.world.env.app.settings.set('widget', { centreName: 'Test Centre', primaryColor: '#1f5fa8' });
    await context.close();
  });
});

async function expectAccessible(frame: Frame, screen: string) {
  const violations = await axeViolations(frame);
  expect(violations, `axe on ${screen}`).toEqual([]);
}

describe('accessibility', () => {
  it('has no axe violations on each screen at 360 px, is keyboard usable and announces messages', async () => {
    const page = await suite.browser.newPage({ viewport: { width: 360, height: 740 } });
    page.setDefaultTimeout(10_000);
    await page.goto(suite.world.host.page());
    const frame = await widgetFrame(page);
    await expectAccessible(frame, 'launcher');
    // Keyboard: Tab into the frame's launcher, Enter opens, focus moves into the panel.
    await frame.locator('.launcher').focus();
    await page.keyboard.press('Enter');
    await frame.locator('.panel').waitFor();
    await expect.poll(() => frame.evaluate(() => document.activeElement?.id)).toBe('hl-title');
    const box = await page.locator('iframe[data-helpline-widget]').boundingBox();
    expect(box!.width).toBe(360);
    expect(await frame.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await frame.locator('#hl-closed').waitFor();
    await expectAccessible(frame, 'start (closed)');
    await frame.getByRole('button', { name: 'Leave a message' }).click();
    await expectAccessible(frame, 'leave a message');
    await frame.getByRole('button', { name: 'Back' }).click();
    await frame.getByRole('button', { name: 'Read an answer (I have a code)' }).first().click();
    await expectAccessible(frame, 'read an answer');
    await frame.getByRole('button', { name: 'Back' }).click();

    const c = await counsellor(suite.world.env, 'Dara');
    const assigned = next(c.agent, 'conversation:assigned');
    await startChat(frame);
    const conv = await assigned;
    await send(frame, 'hello');
    const sent = await call(c.agent, 'message:send', { conversationId: conv.id, clientMsgId: randomUUID(), body: 'Hi! How can I help?' });
    expect(sent.ok, JSON.stringify(sent)).toBe(true);
    await frame.locator('.msg.counsellor').waitFor().catch(async (e) => {
      throw new Error(`${e.message}\n${await frame.locator('.panel').innerHTML()}`);
    });
    expect(await frame.locator('[role=log]').getAttribute('aria-live')).toBe('polite');
    expect(await frame.locator('[role=log] .msg.counsellor').count()).toBe(1);
    expect(await frame.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await expectAccessible(frame, 'chat');
    await call(c.agent, 'conversation:end', { conversationId: conv.id });
    await frame.locator('#hl-ended').waitFor();
    await eventually(async () => (await frame.evaluate(() => document.activeElement?.id)) === 'hl-ended');
    await expectAccessible(frame, 'ended');
    await c.close();
    await page.close();
  });
});

describe('accessibility in every language', () => {
  for (const lang of ['bg', 'sr-Cyrl', 'sr-Latn', 'en'] as const) {
    it(`has no axe violations in ${lang} on the start, message, answer and chat screens`, async () => {
      // Every name the test looks for is the widget's own text in that language: a screen that fell back
      // to English would not be found.
      const T = (k: Key, params?: Record<string, string>) => translate(lang, k, params);
      const page = await suite.browser.newPage({ viewport: { width: 360, height: 740 } });
      page.setDefaultTimeout(10_000);
      await page.goto(suite.world.host.page({ lang }));
      const frame = await widgetFrame(page);
      // The app sets <html lang> in an effect after its first render.
      await expect.poll(() => frame.evaluate(() => document.documentElement.lang)).toBe(lang);
      await expectAccessible(frame, `${lang}: launcher`);
      await frame.locator('.launcher').click();
      await frame.getByRole('heading', { name: T('closed_no_counsellor_online') }).waitFor();
      await expectAccessible(frame, `${lang}: start (closed)`);
      await frame.getByRole('button', { name: T('leaveMessage') }).click();
      await frame.getByRole('button', { name: T('back') }).waitFor();
      await expectAccessible(frame, `${lang}: leave a message`);
      await frame.getByRole('button', { name: T('back') }).click();
      await frame.getByRole('button', { name: T('checkAnswer') }).first().click();
      await expectAccessible(frame, `${lang}: read an answer`);
      await frame.getByRole('button', { name: T('back') }).click();

      const c = await counsellor(suite.world.env, 'Mila');
      const assigned = next(c.agent, 'conversation:assigned');
      await frame.getByRole('button', { name: T('startChat') }).waitFor();
      await startChat(frame);
      const conv = await assigned;
      await frame.locator('.msg.system', { hasText: T('sys_counsellor_joined', { name: 'Mila' }) }).waitFor();
      await send(frame, 'hello');
      const sent = await call(c.agent, 'message:send', { conversationId: conv.id, clientMsgId: randomUUID(), body: 'Hi! How can I help?' });
      expect(sent.ok, JSON.stringify(sent)).toBe(true);
      await frame.locator('.msg.counsellor').waitFor();
      expect(await frame.getByRole('button', { name: T('quickExit') }).count()).toBe(1);
      await expectAccessible(frame, `${lang}: chat`);
      await c.close();
      await page.close();
    });
  }
});

describe('embedding rules', () => {
  it('works on a site of another registrable domain too (storage may be refused there: memory only)', async () => {
    const cross = await startHostSite(() => suite.world.env.url, { hostname: 'localhost' });
    await suite.world.env.app.settings.set('widget', { allowedOrigins: [cross.origin] });
    try {
      const page = await suite.browser.newPage();
      page.setDefaultTimeout(10_000);
      const { frame } = await (async () => {
        const c = await counsellor(suite.world.env, 'Nina');
        await page.goto(cross.page());
        const f = await widgetFrame(page);
        const assigned = next(c.agent, 'conversation:assigned');
        await startChat(f);
        await assigned;
        return { frame: f };
      })();
      await send(frame, 'from another site');
      await frame.locator('.msg.visitor .meta', { hasText: 'Delivered' }).waitFor();
      await frame.getByRole('button', { name: 'Quick exit' }).click();
      await page.waitForURL(suite.world.host.neutralUrl);
      await page.close();
    } finally {
      await suite.world.env.app.settings.set('widget', { allowedOrigins: [] });
      await cross.close();
    }
  });

  it('a site that is not allowed cannot frame the widget; foreign postMessages are ignored', async () => {
    const other = await startHostSite(() => suite.world.env.url);
    try {
      const page = await suite.browser.newPage();
      page.setDefaultTimeout(10_000);
      // Left unanswered, the loader's own question would remove the frame: keep it, so that what
      // refuses it here is the platform's CSP (frame-ancestors), which no loader can skip.
      await page.route('**/api/widget/allowed', (route) => route.abort());
      await page.goto(other.page());
      const handle = await page.waitForSelector('iframe[data-helpline-widget]', { state: 'attached' });
      await page.waitForTimeout(0);
      const frame = await handle.contentFrame();
      await eventually(async () => frame !== null && (frame.url().startsWith('chrome-error:') || (await frame.locator('#app').count().catch(() => 0)) === 0));
      expect(await frame!.locator('#app > *').count().catch(() => 0)).toBe(0);
      await page.unroute('**/api/widget/allowed');

      // On an allowed site, an exit message that does not come from the widget's frame is ignored.
      await page.goto(suite.world.host.page());
      const w = await widgetFrame(page);
      await page.evaluate(() => window.postMessage({ tag: 'helpline-widget', type: 'exit', url: 'https://example.com/' }, '*'));
      await w.locator('.launcher').click();
      await w.locator('.panel').waitFor();
      expect(page.url()).toBe(suite.world.host.page());
      await page.close();
    } finally {
      await other.close();
    }
  });
});
