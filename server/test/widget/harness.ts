/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Browser-side callbacks (page.evaluate) use the DOM types.
// Shared set-up of the widget's browser tests: the widget built, a platform instance, a centre's
// website on another origin embedding the widget with its one script tag, and a counsellor on the
// other side over a real socket.
import { execSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Browser, Frame, Page } from 'playwright-core';
import { WIDGET_DIST } from '../../src/web/routes.js';
import { launchBrowser } from '../browser.js';
import { agentClient, call, connected, createStaff, login, next, startTestEnv, type AgentClient, type TestEnv } from '../helpers.js';

export function ensureWidgetBuilt(): void {
  if (existsSync(`${WIDGET_DIST}/widget.js`) && existsSync(`${WIDGET_DIST}/app/index.html`)) return;
  execSync('pnpm run build', { cwd: new URL('../../../web-widget', import.meta.url), stdio: 'ignore' });
}

export interface HostSite {
  origin: string;
  /** URL of a page embedding the widget; `lang` sets <html lang>, `dataLang` the script's data-lang. */
  page(opts?: { lang?: string; dataLang?: string }): string;
  neutralUrl: string;
  close(): Promise<void>;
}

export async function startHostSite(platform: () => string, opts: { hostname?: string } = {}): Promise<HostSite> {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (u.pathname === '/neutral') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end('<!doctype html><html lang="en"><title>Weather</title><h1>Weather today</h1></html>');
    }
    const lang = u.searchParams.get('lang') ?? 'en';
    const dataLang = u.searchParams.get('dataLang');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>School</title>
<style>body { font: 40px serif; color: #c00 } button { background: yellow !important }</style></head>
<body><main><h1>Our school</h1><p>Welcome.</p></main>
<script async src="${platform()}/widget.js"${dataLang ? ` data-lang="${dataLang}"` : ''}></script></body></html>`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  // Another origin (port) of the same site, as a centre's www.example.org embedding chat.example.org.
  // Across sites, browsers that block third-party storage leave the widget in-memory only (no resume
  // after a reload); the widget still works there (tested in safety.browser.test.ts).
  const origin = `http://${opts.hostname ?? '127.0.0.1'}:${port}`;
  return {
    origin,
    page: (opts = {}) => `${origin}/?${new URLSearchParams(opts as Record<string, string>).toString()}`,
    neutralUrl: `${origin}/neutral`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface WidgetWorld {
  env: TestEnv;
  host: HostSite;
  close(): Promise<void>;
}

export async function startWorld(): Promise<WidgetWorld> {
  ensureWidgetBuilt();
  let url = '';
  const host = await startHostSite(() => url);
  const env = await startTestEnv({ ALLOWED_ORIGINS: host.origin });
  url = env.url;
  await env.app.settings.set('widget', { exitUrl: host.neutralUrl, centreName: 'Test Centre' });
  return {
    env,
    host,
    close: async () => {
      await env.close();
      await host.close();
    },
  };
}

export interface WidgetSuite {
  /** Set in beforeAll. */
  world: WidgetWorld;
  /** Set in beforeAll. */
  browser: Browser;
}

/**
 * Registers the file's hooks: a world and a Chromium for the whole file, every counsellor retired
 * after each test. Returns what beforeAll sets up.
 */
export function useWidgetSuite(): WidgetSuite {
  const suite = {} as WidgetSuite;
  beforeAll(async () => {
    suite.world = await startWorld();
    suite.browser = await launchBrowser();
  });
  afterEach(async () => {
    await closeCounsellors();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.world?.close();
  });
  return suite;
}

const agents = new Map<AgentClient, Set<string>>();

/**
 * End the counsellor's chats, set them away and disconnect: otherwise their chats would go back to
 * the queue after the disconnect grace and be offered to the next test's counsellor.
 */
async function retire(a: AgentClient): Promise<void> {
  if (a.connected) {
    for (const id of agents.get(a) ?? []) await call(a, 'conversation:end', { conversationId: id }, 2000).catch(() => null);
    await call(a, 'agent:status', { status: 'away' }, 2000).catch(() => null);
  }
  a.disconnect();
  agents.delete(a);
}

/** Retire every counsellor of the test (afterEach: a failed test leaves none behind). */
export async function closeCounsellors(): Promise<void> {
  for (const a of [...agents.keys()]) await retire(a);
}

/** A counsellor, available, who accepts every offer. */
export async function counsellor(env: TestEnv, name = 'Ana', capacity = 5): Promise<{ agent: AgentClient; close(): Promise<void> }> {
  const staff = await createStaff(env.app, 'counsellor', { name, capacity });
  const who = await login(env.url, staff.email, staff.password);
  const agent = agentClient(env.url, who);
  await connected(agent);
  agent.on('offer:new', (o) => void call(agent, 'offer:accept', { offerId: o.offerId }));
  await call(agent, 'agent:hello');
  await call(agent, 'agent:status', { status: 'available' });
  const mine = new Set<string>();
  agent.on('conversation:assigned', (c) => mine.add(c.id));
  agents.set(agent, mine);
  return { agent, close: () => retire(agent) };
}

export async function widgetFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('iframe[data-helpline-widget]', { state: 'attached' });
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('no widget frame');
  await frame.waitForSelector('#app > *', { state: 'attached' });
  return frame;
}

/** A counsellor `name`, and the widget on the host page in a chat that she has joined. */
export async function chatting(world: WidgetWorld, page: Page, name: string) {
  const c = await counsellor(world.env, name);
  await page.goto(world.host.page());
  const frame = await widgetFrame(page);
  const assigned = next(c.agent, 'conversation:assigned');
  await startChat(frame);
  const conv = await assigned;
  await frame.locator('.msg.system', { hasText: `${name} joined the chat.` }).waitFor();
  return { c, conv, frame };
}

/** Open the widget (if collapsed) and start a chat with the given optional answers. */
export async function startChat(frame: Frame): Promise<void> {
  const launcher = frame.locator('.launcher');
  if (await launcher.count()) await launcher.click();
  await frame.locator('button[type=submit]:not([disabled])').first().waitFor();
  await frame.locator('form.stack button[type=submit]').click();
  await frame.locator('#hl-composer').waitFor();
}

export async function send(frame: Frame, text: string): Promise<void> {
  await frame.locator('#hl-composer').fill(text);
  await frame.locator('#hl-composer').press('Enter');
}

/** Text of the message bubbles (not system lines). */
export async function bubbles(frame: Frame): Promise<string[]> {
  return frame.locator('.msg:not(.system) .text').allTextContents();
}

const require = createRequire(import.meta.url);
export const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core in the frame (evaluated through the devtools protocol, so the page's CSP allows it). */
export async function axeViolations(frame: Frame): Promise<{ id: string; help: string; nodes: number }[]> {
  await frame.evaluate(`${AXE_SOURCE};0`);
  return frame.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; help: string; nodes: unknown[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } });
    return r.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.length }));
  });
}
