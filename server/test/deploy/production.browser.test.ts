/// <reference lib="dom" />
// The production recipe of docs/deploy.md, run: nginx with deploy/nginx/helpline.conf over TLS (a
// self-signed certificate), two instances behind it started with deploy/systemd/helpline.env, the
// shared Postgres and a Redis started with deploy/redis/helpline.conf. A child opens the widget on
// /demo and a counsellor works in /console, both in Chromium, both only through nginx.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CONSOLE_DIST } from '../../src/web/routes.js';
import { launchBrowser } from '../browser.js';
import { connected, eventually } from '../helpers.js';
import { createStaffIn } from '../faults/support.js';
import { ensureWidgetBuilt, startChat, send, widgetFrame } from '../widget/harness.js';
import { httpsRequest, startStack, type Stack } from './stack.js';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ensureWidgetBuilt();
  if (!existsSync(`${CONSOLE_DIST}/index.html`)) execSync('pnpm run build', { cwd: new URL('../../../agent-console', import.meta.url), stdio: 'ignore' });
  stack = await startStack();
  browser = await launchBrowser(['--ignore-certificate-errors']);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

/** This instance's Socket.IO connections, read from its own /metrics (scraped directly, with the token). */
async function socketsOn(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${stack.metricsToken}` } });
  expect(res.status).toBe(200);
  const text = await res.text();
  return [...text.matchAll(/^helpline_sockets_connected\{namespace="\w+"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

describe('the production recipe (nginx, TLS, two instances, Postgres, Redis)', () => {
  it('serves health checks over TLS, redirects plain HTTP, hides /metrics, and upgrades WebSockets', async () => {
    const ready = await httpsRequest(stack.nginx.url, stack.nginx.cert, 'GET', '/ready');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({ postgres: 'ok', redis: 'ok' });
    expect(ready.headers['strict-transport-security']).toBeDefined();
    const plain = await fetch(`http://127.0.0.1:${stack.nginx.httpPort}/console/`, { redirect: 'manual' });
    expect(plain.status).toBe(301);
    expect(plain.headers.get('location')).toBe('https://127.0.0.1/console/');
    expect((await httpsRequest(stack.nginx.url, stack.nginx.cert, 'GET', '/metrics')).status).toBe(404);
    // WebSockets only (no polling fallback): nginx's upgrade is what carries them. Spread over both.
    // (16: all on one instance by chance is 1 in 32,768; the instances count a socket when its
    // connection handler has run, which may be just after the client saw it connect.)
    const clients = Array.from({ length: 16 }, () => stack.widget());
    await Promise.all(clients.map((c) => connected(c)));
    for (const c of clients) expect(c.io.engine.transport.name).toBe('websocket');
    let on: number[] = [];
    await eventually(async () => {
      on = [await socketsOn(stack.ports[0]!), await socketsOn(stack.ports[1]!)];
      return on[0]! + on[1]! === 16;
    }, 10_000).catch(() => null);
    expect(on[0]! + on[1]!, `sockets per instance: ${on.join(', ')}`).toBe(16);
    expect(Math.min(...on), `sockets per instance: ${on.join(', ')}`).toBeGreaterThan(0);
    for (const c of clients) c.disconnect();
  });

  it('a child on /demo reaches a counsellor in /console, messages both ways', async () => {
    const staff = await createStaffIn(stack.db.url, 'counsellor', { name: 'Nadia' });
    const consolePage = await (await browser.newContext()).newPage();
    consolePage.setDefaultTimeout(15_000);
    await consolePage.goto(`${stack.nginx.url}/console/#/chats`);
    await consolePage.getByLabel(/E-mail/).fill(staff.email);
    await consolePage.getByLabel(/Password/).fill(staff.password);
    await consolePage.getByRole('button', { name: 'Log in' }).click();
    await consolePage.getByRole('radio', { name: 'Available' }).click();
    await consolePage.getByTestId('agent-status').filter({ hasText: 'Available' }).waitFor();

    const childPage = await (await browser.newContext()).newPage();
    childPage.setDefaultTimeout(15_000);
    await childPage.goto(`${stack.nginx.url}/demo`);
    const frame = await widgetFrame(childPage);
    await startChat(frame);
    await consolePage.getByRole('button', { name: 'Accept' }).click();
    await frame.locator('.msg.system', { hasText: 'Nadia joined the chat.' }).waitFor();

    await send(frame, 'Hello, is anyone there?');
    await consolePage.locator('[data-testid=messages]', { hasText: 'Hello, is anyone there?' }).waitFor();
    await consolePage.getByLabel('Message to the visitor').fill('Yes, I am here. What happened?');
    await consolePage.getByLabel('Message to the visitor').press('Enter');
    await frame.locator('.msg.counsellor .text', { hasText: 'Yes, I am here. What happened?' }).waitFor();
    await frame.locator('.msg.visitor .meta', { hasText: /Delivered|Read/ }).waitFor();
    // Both pages went through nginx: their sockets are on the instances behind it.
    await eventually(async () => (await socketsOn(stack.ports[0]!)) + (await socketsOn(stack.ports[1]!)) >= 2);
    await childPage.context().close();
    await consolePage.context().close();
  });
});
