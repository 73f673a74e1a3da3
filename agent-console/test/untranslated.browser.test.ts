// Every word the console shows comes from its translations. The console runs in Chromium in its pseudo
// locale (each translated text, date and number is drawn as ⟦…⟧); on every page of every role (login,
// counsellor with a live chat and its tools, supervisor, analyst, admin with each tab) the test reads the
// visible text nodes and the accessible names, placeholders and titles, takes out the ⟦…⟧ parts, and
// fails on any letter left that is not data the test itself put there (names, e-mails, messages,
// institutions, canned responses) or a machine identifier set as <code>.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../server/test/browser.js';
import { call, connected, createStaff, randomUUID, startTestEnv, widgetClient, type TestEnv, type WidgetClient } from '../../server/test/helpers.js';
import { LANGUAGES } from '@helpline/shared';
import { ensureBuilt } from './build.js';
import { CENTRE_PROFILE_DATA } from '../../server/src/profiles/definitions.js';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

let env: TestEnv;
let browser: Browser;
const children: WidgetClient[] = [];

beforeAll(async () => {
  ensureBuilt('agent-console', 'index.html');
  env = await startTestEnv({ OFFER_TIMEOUT_MS: '20000', DISCONNECT_GRACE_MS: '20000' });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  for (const c of children) c.disconnect();
  await browser?.close();
  await env?.close();
});

/** Visible strings on the page that still hold a letter once every ⟦translated⟧ part is taken out. */
function untranslated(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const strip = (s: string) => {
      let prev;
      do {
        prev = s;
        s = s.replace(/⟦[^⟦⟧]*⟧/g, '');
      } while (s !== prev);
      return s.trim();
    };
    const out: string[] = [];
    const check = (s: string | null | undefined, where: string) => {
      if (!s) return;
      const rest = strip(s);
      if (/\p{L}/u.test(rest)) out.push(`${where}: ${rest}`);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      // <code>: machine identifiers shown as stored (the audit log's actions, targets and ids).
      if (!el || el.closest('script, style, code')) continue;
      if (el.tagName !== 'OPTION' && !el.checkVisibility({ visibilityProperty: true })) continue;
      check(n.textContent, 'text');
    }
    for (const el of Array.from(document.querySelectorAll('[aria-label], [placeholder], [title], [alt], [aria-description]'))) {
      for (const a of ['aria-label', 'placeholder', 'title', 'alt', 'aria-description']) check(el.getAttribute(a), a);
    }
    check(document.title, 'title');
    return out;
  });
}

async function dataOnScreen(extra: string[]): Promise<Set<string>> {
  const allowed = new Set(extra);
  for (const i of await env.app.referrals.listInstitutions(true)) {
    allowed.add(i.name);
    if (i.contact) allowed.add(i.contact);
  }
  for (const l of LANGUAGES) for (const c of await env.app.canned.list(l)) for (const s of [c.title, c.body, c.shortcut, `/${c.shortcut}`]) allowed.add(s);
  for (const u of await env.app.auth.listUsers()) for (const s of [u.name, u.email]) allowed.add(s);
  // What the centre profiles set: IANA time zones, phone lines, police units.
  for (const p of Object.values(CENTRE_PROFILE_DATA)) for (const s of [p.timeZone, p.phoneLine, p.routing.policeUnit]) allowed.add(s);
  return allowed;
}

async function pseudoPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(10_000);
  await ctx.addInitScript(() => localStorage.setItem('helpline.console.pseudo', '1'));
  const page = await ctx.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  return page;
}

async function loginAs(page: Page, email: string, password: string) {
  await page.goto(`${env.url}/console/`);
  await page.locator('input[type="email"], input[name="email"]').first().fill(email);
  await page.locator('input[type="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.locator('nav.mainnav a').first().waitFor();
}

/** Opens each section of the navigation in turn and collects what is not translated on each. */
async function visitSections(page: Page, found: string[], onPage?: (path: string) => Promise<void>) {
  const paths = await page.locator('nav.mainnav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  expect(paths.length).toBeGreaterThan(0);
  for (const href of paths) {
    await page.evaluate((h) => (location.hash = h), href);
    await page.locator(`nav.mainnav a[href="${href}"][aria-current="page"]`).waitFor();
    await page.locator('main .loading, main [role="status"]:text("Loading")').waitFor({ state: 'detached' }).catch(() => undefined);
    await page.waitForLoadState('networkidle');
    for (const s of await untranslated(page)) found.push(`${href} ${s}`);
    await onPage?.(href);
  }
}

// Data sits next to translated words ("⟦Edit⟧: Mila"): compare without the punctuation around it.
const bare = (s: string) => s.replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '');
function notData(allowed: Set<string>, found: string[]): string[] {
  const data = new Set([...allowed].map(bare));
  return found.filter((f) => !data.has(bare(f.replace(/^\S+ [\w-]+: /, ''))));
}

describe('the console in its pseudo locale', () => {
  it('shows no string outside the translations on any page of any role', { timeout: 120_000 }, async () => {
    const found: string[] = [];
    const page = await pseudoPage();
    await page.goto(`${env.url}/console/`);
    await page.locator('input[type="password"]').waitFor();
    for (const s of await untranslated(page)) found.push(`/login ${s}`);

    // A counsellor with a live chat: the chat panel, case record, notes and escalation tabs.
    const c = await createStaff(env.app, 'counsellor', { name: 'Mila', capacity: 2 });
    await loginAs(page, c.email, c.password);
    await page.locator('[role="radio"]').first().click();
    const child = widgetClient(env.url);
    children.push(child);
    await connected(child);
    const started = await call(child, 'conversation:start', { language: 'sr-Latn', ageGroup: '12-18' });
    if (!started.ok) throw new Error('start failed');
    await page.getByTestId('offer').waitFor();
    for (const s of await untranslated(page)) found.push(`/offer ${s}`);
    await page.keyboard.press('Alt+A');
    await page.getByTestId('conv-item').first().waitFor();
    await call(child, 'message:send', { conversationId: started.data.conversation.id, clientMsgId: randomUUID(), body: 'Zdravo, treba mi pomoć' });
    await page.getByText('Zdravo, treba mi pomoć').waitFor();
    await page.getByTestId('conv-item').first().click();
    for (const tab of await page.locator('[role="tab"]').all()) {
      await tab.click();
      for (const s of await untranslated(page)) found.push(`/chats-tab ${s}`);
    }
    await visitSections(page, found);

    for (const role of ['supervisor', 'analyst', 'admin'] as const) {
      const p = await pseudoPage();
      const who = await createStaff(env.app, role, { name: `N-${role}` });
      await loginAs(p, who.email, who.password);
      await visitSections(p, found, async (href) => {
        if (href !== '#/admin') return;
        for (const tab of await p.locator('[role="tab"]').all()) {
          await tab.click();
          await p.waitForLoadState('networkidle');
          // The audit log fills in after its request: check its rows, not the empty table before them.
          const audit = p.locator('table[aria-label="⟦Audit log⟧"]');
          if (await audit.count()) await audit.locator('tbody tr').first().waitFor();
          for (const s of await untranslated(p)) found.push(`${href}-tab ${s}`);
        }
      });
      await p.context().close();
    }
    const allowed = await dataOnScreen(['Zdravo, treba mi pomoć']);
    expect(notData(allowed, found)).toEqual([]);
    await page.context().close();
  });
});
