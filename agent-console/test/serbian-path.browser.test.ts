// A Serbian counsellor's whole path in Chromium, in Serbian Latin and in Serbian Cyrillic, on a centre
// started with the Serbia profile: log in, choose the language (kept on the account for the next
// session), become available, accept, answer, write a note, refer to an institution, complete the case
// record; axe finds no violation on the way. Every label the test looks for comes from the catalogue
// in that language, so the test follows the translations and fails when a page falls back to English.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../server/test/browser.js';
import { axeViolations } from '../../server/test/console-browser.js';
import { api, call, connected, createStaff, login, next, randomUUID, startTestEnv, widgetClient, type TestEnv, type WidgetClient } from '../../server/test/helpers.js';
import { lookup, type UiLanguage } from '../src/i18n/index.js';
import { ensureBuilt } from './build.js';

type Browser = Awaited<ReturnType<typeof launchBrowser>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

let env: TestEnv;
let browser: Browser;
const children: WidgetClient[] = [];

beforeAll(async () => {
  ensureBuilt('agent-console', 'index.html');
  env = await startTestEnv({ CENTRE_PROFILE: 'sr', OFFER_TIMEOUT_MS: '20000', DISCONNECT_GRACE_MS: '20000', WRAPUP_MS: '3000' });
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  for (const c of children) c.disconnect();
  await browser?.close();
  await env?.close();
});

async function newPage(): Promise<Page> {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(10_000);
  return ctx.newPage();
}

async function logIn(page: Page, email: string, password: string, lang: UiLanguage | 'en') {
  const L = (k: string) => lookup(lang, k)!;
  await page.goto(`${env.url}/console/`);
  await page.getByLabel(L('login.email')).fill(email);
  await page.getByLabel(L('login.password')).fill(password);
  await page.getByRole('button', { name: L('login.submit') }).click();
}

describe.each(['sr-Latn', 'sr-Cyrl'] as const)('a counsellor in %s', (lang) => {
  const L = (k: string, params?: Record<string, string>) => lookup(lang, k)!.replace(/\{(\w+)\}/g, (_, p: string) => params?.[p] ?? '');

  it('logs in, accepts, answers, notes, refers and completes the case record', { timeout: 90_000 }, async () => {
    const c = await createStaff(env.app, 'counsellor', { name: lang === 'sr-Latn' ? 'Petar' : 'Петар', capacity: 2, languages: ['sr-Cyrl', 'sr-Latn'] });
    const page = await newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // First session: the console opens in English (a fresh browser); the counsellor picks the language.
    await logIn(page, c.email, c.password, 'en');
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.getByRole('combobox', { name: 'Language' }).selectOption(lang);
    await page.getByRole('radio', { name: L('status.available') }).waitFor();
    const other = await login(env.url, c.email, c.password);
    await expect.poll(async () => (await api(env.url, other, 'GET', '/api/auth/me')).body.profile.language, { timeout: 10_000 }).toBe(lang);
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    await page.context().close();

    // Next session, another browser: the console speaks the chosen language from the start.
    const p = await newPage();
    p.on('pageerror', (e) => errors.push(e.message));
    await logIn(p, c.email, c.password, 'en');
    await p.getByRole('radio', { name: L('status.available') }).click();
    await expect.poll(() => p.getByTestId('agent-status').textContent()).toBe(L('status.available'));
    expect(await axeViolations(p)).toEqual([]);

    const child = widgetClient(env.url);
    children.push(child);
    await connected(child);
    const started = await call(child, 'conversation:start', { language: lang, ageGroup: '12-18' });
    if (!started.ok) throw new Error('start failed');
    const conversationId = started.data.conversation.id as string;
    await p.getByTestId('offer').waitFor();
    await p.getByRole('button', { name: L('offer.accept') }).click();
    await p.getByTestId('conv-item').first().waitFor();
    const childText = lang === 'sr-Latn' ? 'Neko mi preti da će objaviti moje slike' : 'Неко ми прети да ће објавити моје слике';
    await call(child, 'message:send', { conversationId, clientMsgId: randomUUID(), body: childText });
    await p.getByText(childText).waitFor();

    // Answer.
    const answer = lang === 'sr-Latn' ? 'Hvala što si nam pisao. Nisi ti kriv.' : 'Хвала што си нам писао. Ниси ти крив.';
    const atChild = next(child, 'message:new', (m: { sender: string }) => m.sender === 'counsellor');
    await p.getByRole('textbox', { name: L('chat.composer') }).fill(answer);
    await p.getByRole('button', { name: L('chat.send') }).click();
    expect((await atChild as { body: string }).body).toBe(answer);
    expect(await axeViolations(p)).toEqual([]);

    // An internal note.
    await p.getByRole('tab', { name: L('tabs.notes') }).click();
    await p.getByRole('textbox', { name: L('notes.new') }).fill('Moguća sekstorzija');
    await p.getByRole('button', { name: L('notes.add') }).click();
    await p.getByTestId('notes').getByText('Moguća sekstorzija').waitFor();

    // A referral to the prosecution for high-tech crime: police, so it waits for a supervisor.
    await p.getByRole('tab', { name: L('tabs.actions') }).click();
    const institution = p.getByRole('combobox', { name: L('esc.institution') });
    // The profile seeded the institution in Cyrillic: shown in the console's script (stored as seeded).
    const seededName = lang === 'sr-Latn' ? 'Posebno tužilaštvo za visokotehnološki kriminal' : 'Посебно тужилаштво за високотехнолошки криминал';
    const otherScript = lang === 'sr-Latn' ? 'Посебно тужилаштво' : 'Posebno tužilaštvo';
    const prosecution = await institution.locator('option', { hasText: seededName }).getAttribute('value');
    expect(await institution.locator('option', { hasText: otherScript }).count()).toBe(0);
    await institution.selectOption(prosecution!);
    await p.getByText(L('esc.referPolice')).waitFor();
    await p.getByRole('button', { name: L('esc.referSubmit') }).click();
    await p.getByTestId('referrals').getByText(L('referral.status.pending_approval')).waitFor();
    await p.getByTestId('referrals').getByText(seededName).waitFor();
    const stored = (await env.app.referrals.listInstitutions()).find((i) => i.id === prosecution);
    expect(stored?.name).toBe('Посебно тужилаштво за високотехнолошки криминал');
    expect(await axeViolations(p)).toEqual([]);

    // The case record: required fields are checked, then the conversation closes.
    await p.getByRole('tab', { name: L('tabs.case') }).click();
    await p.getByRole('button', { name: L('case.submitClose') }).click();
    await p.getByText(L('case.fixErrors')).waitFor();
    expect(await axeViolations(p)).toEqual([]);
    await p.getByRole('combobox', { name: `${L('case.contactType')} *` }).selectOption('child');
    await p.getByRole('checkbox', { name: L('cat.sextortion') }).check();
    await expect.poll(() => p.getByTestId('chi').textContent()).toBe(L('chi.violence'));
    await p.getByRole('textbox', { name: `${L('case.summary')} *` }).fill('Pretnja objavljivanjem slika; savet da sačuva dokaze.');
    const closed = next(child, 'conversation:updated', (v: { state: string }) => v.state === 'closed');
    await p.getByRole('button', { name: L('case.submitClose') }).click();
    await closed;
    await p.getByText(L('case.closed')).waitFor();
    expect(await axeViolations(p)).toEqual([]);
    expect(errors).toEqual([]);
    await p.context().close();
  });
});
