/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Browser-side callbacks (page.evaluate) use the DOM types.
// Shared set-up of the agent console's browser tests: one platform instance and one Chromium per test
// file, a login through the console's form, and axe-core run on a page.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestEnv, type TestEnv } from './helpers.js';
import { launchBrowser } from './browser.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2 A/AA violations on the page. */
export async function axeViolations(page: Page): Promise<{ id: string; nodes: number }[]> {
  await page.evaluate(`${AXE_SOURCE};0`);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.length }));
  });
}

export interface ConsoleSuite {
  /** Set in beforeAll. */
  env: TestEnv;
  /** Set in beforeAll. */
  browser: Browser;
  /** Opens /console/#`hash` and logs in through the form. */
  consoleLogin(page: Page, email: string, password: string, hash: string): Promise<void>;
}

/** Registers the file's beforeAll/afterAll (instance and browser) and returns what they set up. */
/** `env`: settings of the instance, e.g. outside services pointed at a test's stand-in (or a function giving them). */
export function useConsoleSuite(env?: Record<string, string> | (() => Promise<Record<string, string>>)): ConsoleSuite {
  const suite = {
    async consoleLogin(page: Page, email: string, password: string, hash: string) {
      await page.goto(`${suite.env.url}/console/#${hash}`);
      await page.getByLabel(/E-mail/).fill(email);
      await page.getByLabel(/Password/).fill(password);
      await page.getByRole('button', { name: 'Log in' }).click();
    },
  } as ConsoleSuite;
  beforeAll(async () => {
    suite.env = await startTestEnv(typeof env === 'function' ? await env() : (env ?? {}));
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.env?.close();
  });
  return suite;
}
