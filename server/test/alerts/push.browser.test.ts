/// <reference lib="dom" />
// Web Push in Chromium, as far as a headless Chromium goes. Headless Chromium has no push service
// (its PushManager.subscribe fails "Registration failed - permission denied"), so the one piece
// replaced is the browser's link to a push service: PushManager hands out a subscription of the
// local stand-in (push-standin.ts), which receives the server's push, checks its VAPID JWT and
// decrypts it. The decrypted bytes are then delivered to the widget's real service worker through
// the DevTools protocol (ServiceWorker.deliverPushMessage), which shows the notification.
// Checked: the control in every widget language, only where push is supported; turning it on stores
// the subscription in the child's language; a published alert becomes a notification with its title
// and a link that opens the widget on it; turning it off removes the subscription; in a frame of
// another site the control is a link to a tab of its own; quick exit ends the subscription.
import postgres from 'postgres';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LANGUAGES, type PushAlertPayload } from '@helpline/shared';
import { launchBrowser } from '../browser.js';
import { api, createStaff, login, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';
import { axeViolations, ensureWidgetBuilt, startHostSite, widgetFrame, type HostSite } from '../widget/harness.js';
import { translate } from '../../../web-widget/src/app/i18n/index.js';
import { alertInput } from './support.js';
import { startPushStandIn, type PushStandIn, type StandInSubscription } from './push-standin.js';

const VAPID = webpush.generateVAPIDKeys();
let env: TestEnv;
let host: HostSite;
let standIn: PushStandIn;
let browser: Browser;
let sql: postgres.Sql;
let analyst: LoggedIn;
let approver: LoggedIn;

beforeAll(async () => {
  ensureWidgetBuilt();
  standIn = await startPushStandIn();
  let url = '';
  host = await startHostSite(() => url);
  env = await startTestEnv({ ALLOWED_ORIGINS: host.origin, VAPID_PUBLIC_KEY: VAPID.publicKey, VAPID_PRIVATE_KEY: VAPID.privateKey, VAPID_SUBJECT: 'mailto:alerts@example.org', PUSH_ALLOW_LOCAL_ENDPOINTS: 'true' });
  url = env.url;
  await env.app.settings.set('widget', { exitUrl: host.neutralUrl });
  sql = postgres(env.databaseUrl, { max: 1, onnotice: () => {} });
  const [a, b] = [await createStaff(env.app, 'analyst'), await createStaff(env.app, 'analyst')];
  analyst = await login(env.url, a.email, a.password);
  approver = await login(env.url, b.email, b.password);
  browser = await launchBrowser();
  await publish('Fake parcel messages');
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await sql?.end();
  await env?.close();
  await host?.close();
  await standIn?.close();
});

async function publish(title: string): Promise<string> {
  const c = await api(env.url, analyst, 'POST', '/api/alerts', alertInput({ title }));
  await api(env.url, analyst, 'POST', `/api/alerts/${c.body.id}/submit`);
  await api(env.url, approver, 'POST', `/api/alerts/${c.body.id}/approve`);
  return c.body.id as string;
}

/** A context whose PushManager hands out `sub` (the stand-in's) instead of failing; or has no PushManager at all. */
async function context(sub: StandInSubscription | null): Promise<BrowserContext> {
  const ctx = await browser.newContext({ locale: 'en-GB' });
  ctx.setDefaultTimeout(10_000);
  await ctx.grantPermissions(['notifications'], { origin: env.url });
  await ctx.addInitScript((s) => {
    if (!s) {
      delete (window as { PushManager?: unknown }).PushManager;
      return;
    }
    // Held by the page, not in its storage (which quick exit wipes), as a browser holds its own.
    let subscribed = false;
    const make = () => ({ endpoint: s.endpoint, expirationTime: null, toJSON: () => ({ endpoint: s.endpoint, expirationTime: null, keys: s.keys }), unsubscribe: async () => !(subscribed = false) });
    PushManager.prototype.subscribe = async function () {
      subscribed = true;
      return make() as unknown as PushSubscription;
    };
    PushManager.prototype.getSubscription = async function () {
      return (subscribed ? make() : null) as unknown as PushSubscription | null;
    };
  }, sub ? { endpoint: sub.endpoint, keys: sub.keys } : null);
  return ctx;
}

async function openWidget(ctx: BrowserContext, lang: string): Promise<Page> {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  await page.goto(`${env.url}/widget/#lang=${lang}&alerts=1`);
  await page.getByTestId('alert-entry').locator('summary').click();
  return page;
}
const rowsOf = async (endpoint: string) => sql`select language from push_subscriptions where endpoint = ${endpoint}`;

describe('alerts as notifications in the widget', () => {
  it('offers the control in every language, only where the browser supports push', { timeout: 60_000 }, async () => {
    const ctx = await context(standIn.subscribe());
    for (const lang of LANGUAGES) {
      const page = await openWidget(ctx, lang);
      await page.getByRole('button', { name: translate(lang, 'pushOn') }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
      expect(await axeViolations(page.mainFrame())).toEqual([]);
      await page.close();
    }
    await ctx.close();
    const without = await context(null);
    const page = await openWidget(without, 'bg');
    await page.getByTestId('alert-entry').locator('details[open]').waitFor();
    // Give the check its time: with no PushManager there is never a control.
    await page.waitForLoadState('networkidle');
    expect(await page.locator('.alert-push').count()).toBe(0);
    await without.close();
  });

  it('is turned on, brings a published alert as a notification that opens it, and is turned off', { timeout: 60_000 }, async () => {
    const sub = standIn.subscribe();
    const ctx = await context(sub);
    const page = await openWidget(ctx, 'bg');
    await page.getByRole('button', { name: translate('bg', 'pushOn') }).click();
    await page.getByRole('button', { name: translate('bg', 'pushOff') }).waitFor();
    await page.getByText(translate('bg', 'pushIsOn')).waitFor();
    expect(await rowsOf(sub.endpoint)).toEqual([{ language: 'bg' }]);

    const id = await publish('Fake prize draws');
    const [push] = await standIn.waitFor(sub.token, 1);
    expect(push!.problems).toEqual([]);
    const payload = JSON.parse(push!.plaintext!) as PushAlertPayload;
    expect(payload).toMatchObject({ id, language: 'bg', title: 'Fake prize draws (bg)' });

    // What the push service would hand the browser, to the widget's real service worker.
    const cdp = await ctx.newCDPSession(page);
    const registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] = [];
    cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: typeof registrations }) => registrations.push(...e.registrations));
    await cdp.send('ServiceWorker.enable');
    await expect.poll(() => registrations.find((r) => r.scopeURL === `${env.url}/widget/` && !r.isDeleted)).toBeTruthy();
    const reg = registrations.find((r) => r.scopeURL === `${env.url}/widget/` && !r.isDeleted)!;
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: env.url, registrationId: reg.registrationId, data: push!.plaintext! });
    const shown = () => page.evaluate(async () => (await (await navigator.serviceWorker.getRegistration('/widget/'))!.getNotifications()).map((n) => ({ title: n.title, body: n.body, lang: n.lang, url: (n.data as { url: string }).url })));
    await expect.poll(shown).toEqual([{ title: 'Fake prize draws (bg)', body: payload.body, lang: 'bg', url: `${env.url}/widget/#lang=bg&alert=${id}` }]);

    // The notification's link opens the widget on that alert, unfolded (the feed this browser cached
    // a minute ago did not have it yet).
    const opened = await ctx.newPage();
    await opened.goto(payload.url);
    await opened.getByTestId('alert-entry').locator('details[open] summary', { hasText: 'Fake prize draws (bg)' }).waitFor();

    await page.getByRole('button', { name: translate('bg', 'pushOff') }).click();
    await page.getByRole('button', { name: translate('bg', 'pushOn') }).waitFor();
    expect(await rowsOf(sub.endpoint)).toEqual([]);
    await ctx.close();
  });

  it('is ended by quick exit: the platform forgets the subscription and the service worker is gone', { timeout: 60_000 }, async () => {
    const sub = standIn.subscribe();
    const ctx = await context(sub);
    const page = await openWidget(ctx, 'en');
    await page.getByRole('button', { name: translate('en', 'pushOn') }).click();
    await page.getByRole('button', { name: translate('en', 'pushOff') }).waitFor();
    expect(await rowsOf(sub.endpoint)).toEqual([{ language: 'en' }]);
    await page.getByRole('button', { name: translate('en', 'quickExit') }).click();
    await page.waitForURL(host.neutralUrl);
    await expect.poll(() => rowsOf(sub.endpoint)).toEqual([]);
    const again = await ctx.newPage();
    await again.goto(`${env.url}/widget/`);
    expect(await again.evaluate(async () => !!(await navigator.serviceWorker.getRegistration('/widget/')))).toBe(false);
    await ctx.close();
  });

  it('in a frame of another site, is a link that opens the widget in a tab of its own', { timeout: 60_000 }, async () => {
    const ctx = await context(standIn.subscribe());
    const page = await ctx.newPage();
    await page.goto(host.page({ lang: 'sr-Latn' }));
    const frame = await widgetFrame(page);
    await frame.getByRole('button', { name: translate('sr-Latn', 'openChat') }).click();
    await frame.getByTestId('alert-entry').locator('summary').click();
    const link = frame.getByRole('link', { name: translate('sr-Latn', 'pushElsewhere') });
    expect(await link.getAttribute('href')).toBe('/widget/#lang=sr-Latn&alerts=1');
    expect(await link.getAttribute('target')).toBe('_blank');
    await ctx.close();
  });
});
