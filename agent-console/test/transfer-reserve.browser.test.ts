// Issue 22 in Chromium: the transfer dialog explains why a colleague cannot take the conversation now
// (away, offline, at capacity) and offers "Queue for <name>"; the conversation then waits for her.
import { describe, expect, it } from 'vitest';
import { agentClient, call, connected, createStaff, login, next, widgetClient } from '../../server/test/helpers.js';
import { axeViolations, useConsoleSuite } from '../../server/test/console-browser.js';
import { lookup } from '../src/i18n/index.js';
import { ensureBuilt } from './build.js';

ensureBuilt('agent-console', 'index.html');
const suite = useConsoleSuite({ OFFER_TIMEOUT_MS: '20000', TRANSFER_RESERVE_MS: '600000' });
const L = (k: string, params: Record<string, string> = {}) => lookup('en', k)!.replace(/\{(\w+)\}/g, (_, p: string) => params[p] ?? '');

describe('the transfer dialog', () => {
  it('explains an away or offline colleague and queues the conversation for her', { timeout: 90_000 }, async () => {
    const env = suite.env;
    const mila = await createStaff(env.app, 'counsellor', { name: 'Mila', capacity: 2 });
    const away = await createStaff(env.app, 'counsellor', { name: 'Vesna' });
    await createStaff(env.app, 'counsellor', { name: 'Olga' });
    const awaySocket = agentClient(env.url, await login(env.url, away.email, away.password));
    await connected(awaySocket);
    await call(awaySocket, 'agent:hello');
    expect((await call(awaySocket, 'agent:status', { status: 'away' })).ok).toBe(true);

    // Petra is available but holds a chat to her capacity of 1.
    const full = await createStaff(env.app, 'counsellor', { name: 'Petra', capacity: 1 });
    const fullSocket = agentClient(env.url, await login(env.url, full.email, full.password));
    await connected(fullSocket);
    await call(fullSocket, 'agent:hello');
    const offered = next(fullSocket, 'offer:new');
    expect((await call(fullSocket, 'agent:status', { status: 'available' })).ok).toBe(true);
    const first = widgetClient(env.url);
    await connected(first);
    expect((await call(first, 'conversation:start', { language: 'en' })).ok).toBe(true);
    expect((await call(fullSocket, 'offer:accept', { offerId: ((await offered) as { offerId: string }).offerId })).ok).toBe(true);

    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await suite.consoleLogin(page, mila.email, mila.password, '/');
    await page.getByRole('radio', { name: 'Available' }).click();

    const kid = widgetClient(env.url);
    await connected(kid);
    const started = await call(kid, 'conversation:start', { language: 'en' });
    if (!started.ok) throw new Error('start failed');
    const conversationId = started.data.conversation.id as string;
    await page.getByTestId('offer').waitFor();
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.getByTestId('conv-item').first().waitFor();

    await page.getByTestId('conv-item').first().click();
    await page.getByRole('tab', { name: 'Escalate' }).click();
    await page.getByRole('button', { name: L('esc.transfer') }).click();
    const dialog = page.getByRole('dialog', { name: L('esc.transferTitle') });
    const target = dialog.getByRole('combobox', { name: L('esc.transferCounsellor') });

    // Offline: chosen (no longer disabled), explained.
    await target.selectOption((await target.locator('option', { hasText: 'Olga' }).getAttribute('value'))!);
    await dialog.getByText(L('esc.transferWhyOffline', { name: 'Olga' })).waitFor();
    await dialog.getByRole('button', { name: L('esc.transferReserve', { name: 'Olga' }) }).waitFor();

    // At capacity: explained with her load.
    await target.selectOption((await target.locator('option', { hasText: 'Petra' }).getAttribute('value'))!);
    await expect.poll(() => dialog.getByRole('status').textContent()).toContain(L('esc.transferWhyFull', { name: 'Petra', load: '1 / 1' }));
    await dialog.getByRole('button', { name: L('esc.transferReserve', { name: 'Petra' }) }).waitFor();

    // Away: explained, with the time it waits for her, and "Queue for Vesna".
    await target.selectOption((await target.locator('option', { hasText: 'Vesna' }).getAttribute('value'))!);
    const why = dialog.getByRole('status');
    await expect.poll(() => why.textContent()).toContain(L('esc.transferWhyAway', { name: 'Vesna' }));
    expect(await why.textContent()).toContain('10 min');
    const queueFor = dialog.getByRole('button', { name: L('esc.transferReserve', { name: 'Vesna' }) });
    expect(await axeViolations(page)).toEqual([]);
    await dialog.getByRole('textbox', { name: L('esc.transferNote') }).fill('Wants to talk to Vesna again.');
    await queueFor.click();
    await expect.poll(() => page.getByTestId('conv-item').count()).toBe(0);

    const conv = await env.app.conversations.get(conversationId);
    expect(conv.state).toBe('waiting');
    expect(conv.reservedForStaffId).toBe(away.profile.id);
    expect(conv.transferNote).toBe('Wants to talk to Vesna again.');
    expect(errors).toEqual([]);

    kid.disconnect();
    first.disconnect();
    awaySocket.disconnect();
    fullSocket.disconnect();
    await ctx.close();
  });
});
