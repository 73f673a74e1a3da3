// Left messages get attention, in Chromium. A supervisor's live board says how many left messages wait,
// how long the oldest has waited and how many are being answered, and the figures follow claims,
// answers and releases. A counsellor whose console is out of sight gets a desktop notification, in her
// own language, for a message she can answer, and none while the console is in sight (the notice is
// there) or for a language she does not answer.
import { beforeAll, describe, expect, it } from 'vitest';
import { useConsoleSuite, type ConsoleSuite } from '../../server/test/console-browser.js';
import { api, createStaff, login, type LoggedIn } from '../../server/test/helpers.js';
import { lookup } from '../src/i18n/index.js';
import '../src/messages/i18n.js';
import { ensureBuilt } from './build.js';

type Page = Awaited<ReturnType<ConsoleSuite['browser']['newPage']>>;

beforeAll(() => ensureBuilt('agent-console', 'index.html'));
const suite = useConsoleSuite();

/** A message left through the widget's API; its reference and id. */
async function leave(language?: string): Promise<{ reference: string; id: string }> {
  const res = await fetch(`${suite.env.url}/api/widget/offline-messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: suite.env.url },
    body: JSON.stringify({ body: 'Someone I do not know keeps writing to me', ...(language ? { language } : {}) }),
  });
  expect(res.status).toBe(201);
  const { reference } = (await res.json()) as { reference: string };
  const [row] = await suite.env.app.database.query<{ id: string }>('select id from offline_messages where reference = $1', [reference]);
  return { reference, id: row!.id };
}

/** As if the message had been left `seconds` ago (nothing in the app can write the past). */
async function leftAgo(id: string, seconds: number): Promise<Date> {
  const at = new Date(Date.now() - seconds * 1000);
  await suite.env.app.database.query('update offline_messages set created_at = $2 where id = $1', [id, at]);
  return at;
}

async function staffPage(opts: { permissions?: string[] } = {}): Promise<Page> {
  const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 }, ...opts });
  ctx.setDefaultTimeout(10_000);
  return ctx.newPage();
}

describe('the live board counts left messages', () => {
  const tile = (page: Page, name: string) => page.locator('.tile').filter({ has: page.getByRole('term').getByText(name, { exact: true }) }).getByRole('definition');

  /** The seconds a board duration stands for: '2 h 5 min' is [7500, 7560), '40 min 12 s' [2412, 2413). */
  function shown(text: string): [number, number] | null {
    const h = /^(\d+) h (\d+) min$/.exec(text);
    if (h) return [Number(h[1]) * 3600 + Number(h[2]) * 60, Number(h[1]) * 3600 + Number(h[2]) * 60 + 60];
    const m = /^(?:(\d+) min )?(\d+) s$/.exec(text);
    if (m) return [Number(m[1] ?? 0) * 60 + Number(m[2]), Number(m[1] ?? 0) * 60 + Number(m[2]) + 1];
    return null;
  }

  /** The tiles say: this many waiting, the oldest left at `oldest` (within the board's rounding), this many being answered. */
  async function board(page: Page, waiting: number, oldest: Date | null, claimed: number) {
    await expect
      .poll(
        async () => {
          const [w, o, c] = await Promise.all(['Left messages waiting', 'Oldest left message', 'Left messages being answered'].map((n) => tile(page, n).textContent()));
          const age = oldest && (Date.now() - oldest.getTime()) / 1000;
          const range = o == null ? null : shown(o);
          const oldestOk = age === null ? o === '—' : range !== null && age >= range[0] - 2 && age < range[1] + 2;
          return `${w} waiting, oldest ${oldestOk ? 'as left' : `${o} (left ${age === null ? 'never' : Math.round(age)} s ago)`}, ${c} being answered`;
        },
        { timeout: 10_000 },
      )
      .toBe(`${waiting} waiting, oldest as left, ${claimed} being answered`);
  }

  it('shows how many wait, the oldest wait and how many are being answered, as they are claimed, answered and given back', async () => {
    // Each test starts from an empty inbox.
    await suite.env.app.database.query('delete from offline_messages', []);
    const sam = await createStaff(suite.env.app, 'supervisor', { name: 'Sam' });
    const nadia = await createStaff(suite.env.app, 'counsellor', { name: 'Nadia' });
    const page = await staffPage();
    await suite.consoleLogin(page, sam.email, sam.password, '/board');
    await page.getByRole('heading', { name: 'Live board' }).waitFor();
    await board(page, 0, null, 0);

    // Three children left messages: two hours ago, forty minutes ago, now.
    const first = await leave('bg');
    const second = await leave('en');
    const third = await leave();
    const firstAt = await leftAgo(first.id, 2 * 3600 + 5 * 60 + 30);
    const secondAt = await leftAgo(second.id, 40 * 60 + 10);
    const thirdAt = new Date(Date.now() - 1000);
    await board(page, 3, firstAt, 0);
    expect(await page.locator('.tile-hot').filter({ hasText: 'Left messages waiting' }).count()).toBe(1);

    // Nadia takes the oldest: two wait, the oldest is now the second, one is being answered.
    const who: LoggedIn = await login(suite.env.url, nadia.email, nadia.password);
    const act = async (id: string, what: 'claim' | 'release' | 'answer') =>
      expect((await api(suite.env.url, who, 'POST', `/api/offline-messages/${id}/${what}`, what === 'answer' ? { answer: 'Thank you for writing to us.' } : {})).status).toBe(200);
    await act(first.id, 'claim');
    await board(page, 2, secondAt, 1);
    // She answers it: nothing waits longer, nobody is answering.
    await act(first.id, 'answer');
    await board(page, 2, secondAt, 0);
    // She takes the second and gives it back: the third is the oldest meanwhile, then the second again.
    await act(second.id, 'claim');
    await board(page, 1, thirdAt, 1);
    await act(second.id, 'release');
    await board(page, 2, secondAt, 0);
    // Both answered: none waits.
    for (const m of [second, third]) {
      await act(m.id, 'claim');
      await act(m.id, 'answer');
    }
    await board(page, 0, null, 0);
    expect(await page.locator('.tile-hot').filter({ hasText: 'Left messages waiting' }).count()).toBe(0);
    await page.context().close();
  }, 60_000);
});

declare global {
  interface Window {
    /** The test's record of `new Notification(...)` (init script below). */
    __notifications: { title: string; body?: string; tag?: string }[];
    __notificationObjects: Notification[];
    __setHidden(hidden: boolean): void;
  }
}

/**
 * Runs in the page before the console: Notification stays the real one and records what it is asked
 * to show. Headless Chromium shows every page as visible (another tab in front or a minimised window
 * change nothing), so the page's visibility is the test's to say, as when the counsellor is in another tab.
 */
function instrument() {
  const Real = window.Notification;
  window.__notifications = [];
  window.__notificationObjects = [];
  class Recorded extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      window.__notifications.push({ title, body: options?.body, tag: options?.tag });
      window.__notificationObjects.push(this);
    }
  }
  window.Notification = Recorded;
  let hidden = false;
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
  window.__setHidden = (h: boolean) => {
    hidden = h;
    document.dispatchEvent(new Event('visibilitychange'));
  };
}

describe('the desktop notification of a left message', () => {
  const bg = (key: string, params: Record<string, string | number> = {}) => lookup('bg', key)!.replace(/\{(\w+)\}/g, (_, p: string) => String(params[p]));

  it('is shown in the counsellor\'s language while her console is out of sight, for a message she can answer', async () => {
    await suite.env.app.database.query('delete from offline_messages', []);
    const ivana = await createStaff(suite.env.app, 'counsellor', { name: 'Ivana', languages: ['bg', 'en'] });
    await suite.env.app.auth.setLanguage(ivana.profile.id, 'bg');
    const page = await staffPage({ permissions: ['notifications'] });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(instrument);
    await suite.consoleLogin(page, ivana.email, ivana.password, '/chats');
    const nav = page.getByRole('navigation', { name: bg('shell.navigation') });
    await nav.getByRole('link', { name: new RegExp(`^${bg('nav.messages')}`) }).waitFor();
    expect(await page.evaluate(() => Notification.permission)).toBe('granted');
    // In sight: the notice on the page, no desktop notification.
    await leave('en');
    await page.getByRole('status').filter({ hasText: bg('msg.toast', { language: bg('language.en'), n: 1 }) }).waitFor();
    expect(await page.evaluate(() => window.__notifications)).toEqual([]);

    // Out of sight: a message in Serbian (not hers: nothing), then one in Bulgarian (a notification).
    await page.evaluate(() => window.__setHidden(true));
    await leave('sr-Cyrl');
    const bulgarian = await leave('bg');
    await expect.poll(() => page.evaluate(() => window.__notifications.length), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await page.evaluate(() => window.__notifications)).toEqual([
      { title: bg('msg.notification'), body: bg('msg.notificationBody', { language: bg('language.bg'), n: 2 }), tag: `offline-${bulgarian.id}` },
    ]);
    // Nothing of what the child wrote is in it.
    expect(JSON.stringify(await page.evaluate(() => window.__notifications))).not.toContain('keeps writing');

    // Clicking it opens the messages.
    await page.evaluate(() => window.__notificationObjects[0]!.onclick?.(new Event('click')));
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/messages');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
