/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Browser-side callbacks (page.evaluate) use the DOM types.
// The platform at the address a person types. With no PUBLIC_URL it believes it is
// http://localhost:PORT, and is reached here at http://127.0.0.1:PORT: its own /demo, widget and
// console sockets work there, while a page of another origin (the same host, another port) is refused
// everywhere. On a site that is not allowed the loader shows nothing, and the server says once, in its
// log, which setting would allow it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../browser.js';
import { agentClient, call, connected, createTestDatabase, deleteRedisPrefix, eventually, login, next, uid, widgetClient } from '../helpers.js';
import { spawnInstance, type InstanceProcess } from '../processes.js';
import { createStaffIn } from '../faults/support.js';
import { ensureWidgetBuilt, startChat, startHostSite, widgetFrame, type HostSite } from './harness.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let inst: InstanceProcess;
let foreign: HostSite;
let browser: Browser;
const prefix = `t${uid()}`;

beforeAll(async () => {
  ensureWidgetBuilt();
  db = await createTestDatabase();
  // PUBLIC_URL empty = unset: the default http://localhost:PORT, while everything below uses 127.0.0.1.
  inst = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env: { PUBLIC_URL: '', LOG_LEVEL: 'warn', AUTO_ACCEPT: 'true' } });
  foreign = await startHostSite(() => inst.url);
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await foreign?.close();
  await inst?.kill('SIGTERM');
  await db?.drop();
  await deleteRedisPrefix(prefix);
});

const iframe = (page: Page) => page.locator('iframe[data-helpline-widget]');

/** The server's warnings about refused sites, as JSON log lines. */
function refusals(): Record<string, unknown>[] {
  return inst.output
    .join('')
    .split('\n')
    .filter((l) => l.includes('widget refused'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function handshake(client: { once(e: string, f: (x?: Error) => void): unknown; disconnect(): unknown }): Promise<string> {
  const outcome = await new Promise<string>((resolve) => {
    client.once('connect', () => resolve('connected'));
    client.once('connect_error', (e) => resolve(e!.message));
  });
  client.disconnect();
  return outcome;
}

describe('the platform with no PUBLIC_URL, reached at 127.0.0.1', () => {
  it('shows its /demo widget, which opens and brings a counsellor to the chat; the console socket connects', async () => {
    expect(inst.url).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const staff = await createStaffIn(db.url, 'counsellor', { name: 'Nadia' });
    const who = await login(inst.url, staff.email, staff.password);
    // The console's socket, from a console page at this address.
    const agent = agentClient(inst.url, who, { origin: inst.url });
    await connected(agent);
    await call(agent, 'agent:hello');
    await call(agent, 'agent:status', { status: 'available' });
    const assigned = next(agent, 'conversation:assigned');

    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${inst.url}/demo`);
    const frame = await widgetFrame(page);
    await frame.locator('.launcher').waitFor();
    await eventually(async () => iframe(page).isVisible());
    await startChat(frame);
    await assigned;
    await frame.locator('.msg.system', { hasText: 'Nadia joined the chat.' }).waitFor();
    agent.disconnect();
    await context.close();
  });

  it('refuses sockets and widget requests from another origin, even on the same host', async () => {
    expect(foreign.origin).not.toBe(inst.url);
    expect(new URL(foreign.origin).hostname).toBe(new URL(inst.url).hostname);
    expect(await handshake(widgetClient(inst.url))).toBe('connected');
    expect(await handshake(widgetClient(inst.url, { origin: foreign.origin }))).toBe('origin_not_allowed');
    expect(await handshake(widgetClient(inst.url, { origin: inst.url, hostOrigin: foreign.origin }))).toBe('origin_not_allowed');
    const staff = await createStaffIn(db.url, 'counsellor');
    const who = await login(inst.url, staff.email, staff.password);
    expect(await handshake(agentClient(inst.url, who, { origin: foreign.origin }))).toBe('origin_not_allowed');
    // The widget's own requests from its frame at this address pass; the same from the other origin do not.
    const leave = (origin: string) =>
      fetch(`${inst.url}/api/widget/offline-messages`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ body: 'hello' }) });
    expect((await leave(inst.url)).status).toBe(201);
    expect((await leave(foreign.origin)).status).toBe(403);
  });
});

describe('a site that is not allowed', () => {
  it('shows no frame, and the server warns once (origin and setting, nothing of the visitor) however often it loads', async () => {
    // A site of its own: no other test has made the server warn about it yet.
    const site = await startHostSite(() => inst.url);
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    // Hold the loader's question until the refused frame has loaded: hidden all along, not only once removed.
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/api/widget/allowed', async (route) => {
      await held;
      await route.continue();
    });
    const answered = page.waitForResponse('**/api/widget/allowed');
    await page.goto(site.page());
    const handle = await page.waitForSelector('iframe[data-helpline-widget]', { state: 'attached' });
    await (await handle.contentFrame())!.waitForLoadState('load');
    expect(await iframe(page).isVisible()).toBe(false);
    expect(await page.evaluate(() => document.elementFromPoint(innerWidth - 40, innerHeight - 40)?.tagName)).not.toBe('IFRAME');
    release();
    expect(await (await answered).json()).toEqual({ allowed: false });
    await eventually(async () => (await iframe(page).count()) === 0);
    await page.unroute('**/api/widget/allowed');

    for (let i = 0; i < 3; i++) {
      const again = page.waitForResponse('**/api/widget/allowed');
      await page.reload();
      expect(await (await again).json()).toEqual({ allowed: false });
      await eventually(async () => (await iframe(page).count()) === 0);
    }
    await context.close();
    await site.close();

    // Everything logged before a later refusal has arrived once that one has (one ordered stream).
    const sentinel = `http://sentinel-${uid(4)}.invalid`;
    expect(await (await fetch(`${inst.url}/api/widget/allowed`, { headers: { origin: sentinel } })).json()).toEqual({ allowed: false });
    await eventually(async () => refusals().some((l) => l.origin === sentinel));
    const lines = refusals().filter((l) => l.origin === site.origin);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.level).toBe(40);
    expect(String(line.setting)).toContain('ALLOWED_ORIGINS');
    expect(String(line.msg)).toContain(site.origin);
    expect(String(line.msg)).toContain('ALLOWED_ORIGINS');
    // Only the site: no request, no visitor address, no user agent.
    expect(Object.keys(line).sort()).toEqual(['hostname', 'level', 'msg', 'origin', 'pid', 'setting', 'time']);
  });

  it('shows no frame either when the loader cannot ask (the page blocks it): the refused frame never says ready', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.route('**/api/widget/allowed', (route) => route.abort());
    await page.goto(foreign.page());
    const handle = await page.waitForSelector('iframe[data-helpline-widget]', { state: 'attached' });
    await (await handle.contentFrame())!.waitForLoadState('load');
    expect(await iframe(page).count()).toBe(1);
    expect(await iframe(page).isVisible()).toBe(false);
    await context.close();
  });

  it('on the platform itself, a page the browser says is its own is allowed without a warning', async () => {
    const res = await fetch(`${inst.url}/api/widget/allowed`, { headers: { origin: inst.url } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ allowed: true });
    expect(refusals().some((l) => l.origin === inst.url)).toBe(false);
  });
});
