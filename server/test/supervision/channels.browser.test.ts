// In Chromium: a supervisor sees each channel's queue on the live board against that channel's own
// target (an e-mail waits hours, a call seconds), and each channel's service level in the statistics
// page, in English and in Serbian; axe finds nothing on either page.
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createStaff } from '../helpers.js';
import { axeViolations, useConsoleSuite } from '../console-browser.js';

const suite = useConsoleSuite();

describe('service level per channel in the console', () => {
  it('shows waiting per channel on the board and the per-channel figures in statistics', { timeout: 90_000 }, async () => {
    const app = suite.env.app;
    const sup = await createStaff(app, 'supervisor', { name: 'Sena' });
    const counsellor = await createStaff(app, 'counsellor', { name: 'Cora' });
    // Last month's figures: an e-mail answered in 2 h (within its day), a call in 30 s (over its target).
    const now = new Date();
    const day = (d: number, h: number, m = 0, s = 0) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, d, h, m, s)).toISOString();
    await app.db.execute(sql`insert into conversations (channel, state, enqueued_at, first_accepted_at, accepted_at, ended_at, closed_at, assigned_staff_id) values
      ('email', 'closed', ${day(3, 8)}, ${day(3, 10)}, ${day(3, 10)}, ${day(3, 10, 5)}, ${day(3, 10, 6)}, ${counsellor.profile.id}),
      ('phone', 'closed', ${day(4, 8)}, ${day(4, 8, 0, 30)}, ${day(4, 8, 0, 30)}, ${day(4, 8, 5)}, ${day(4, 8, 6)}, ${counsellor.profile.id})`);
    // Waiting now: two e-mails and a call, nobody online; calls must be answered within 5 s here (the
    // admin's lowest), so the call is soon over its target.
    await app.settings.set('channelTargets', { phone: 5 });
    const waiting = [
      await app.conversations.start(null, { channel: 'email', language: 'en' }),
      await app.conversations.start(null, { channel: 'email', language: 'en' }),
      await app.conversations.start(null, { channel: 'phone', language: 'en' }),
    ];

    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, sup.email, sup.password, '/board');
    const byChannel = page.getByRole('table', { name: 'Waiting by channel' });
    await byChannel.getByRole('row', { name: /^E-mail 2 .* 24 h 0 min$/ }).waitFor();
    // Past its target the call's row says so in words (not only in colour).
    await byChannel.getByRole('row', { name: /^Phone 1 .* · over target 5 s$/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.evaluate(() => (location.hash = '#/stats'));
    await page.getByLabel('From').fill(day(1, 12).slice(0, 10));
    await page.getByLabel('To (inclusive)').fill(day(28, 12).slice(0, 10));
    await page.getByRole('button', { name: 'Show' }).click();
    const levels = page.getByRole('table', { name: 'Service level by channel' });
    await levels.getByRole('row', { name: /^E-mail 1 1 0 24 h 0 min 100\s?% 2 h 0 min$/ }).waitFor();
    await levels.getByRole('row', { name: /^Phone 1 1 0 5 s 0\s?% 30 s$/ }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    // In Serbian (Cyrillic) the same table, translated.
    await page.evaluate(() => localStorage.setItem('helpline.console.lang', 'sr-Cyrl'));
    await page.reload();
    await page.getByRole('heading', { name: 'Статистика' }).waitFor();
    await page.getByLabel('Од', { exact: true }).fill(day(1, 12).slice(0, 10));
    await page.getByLabel('До (укључујући)').fill(day(28, 12).slice(0, 10));
    await page.getByRole('button', { name: 'Прикажи' }).click();
    await page.getByRole('table', { name: 'Ниво услуге по каналу' }).getByRole('columnheader', { name: 'Медијално време до првог одговора' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    for (const w of waiting) await app.router.endConversation(w.conversation.id, 'visitor');
    await app.settings.set('channelTargets', { phone: 20 });
    await ctx.close();
  });
});
