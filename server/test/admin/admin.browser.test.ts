// In Chromium: an admin creates and edits a counsellor account, sets her a new password and sets
// holidays in the console; a supervisor reads the statistics page (bar charts with their tables) of a
// seeded period.
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createStaff, login } from '../helpers.js';
import { axeViolations, useConsoleSuite } from '../console-browser.js';

const suite = useConsoleSuite();

describe('administration in the console', () => {
  it('creates and edits an account and saves holidays', { timeout: 60_000 }, async () => {
    const admin = await createStaff(suite.env.app, 'admin', { name: 'Ada' });
    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, admin.email, admin.password, '/admin');
    await page.getByRole('heading', { name: 'Administration' }).waitFor();

    const form = page.locator('form', { has: page.getByRole('heading', { name: 'New account' }) });
    await form.getByLabel('E-mail').fill('vera@centre.test');
    await form.getByLabel(/Display name/).fill('Vera');
    await form.getByLabel(/Initial password/).fill('correct-horse-1');
    await form.getByRole('checkbox', { name: 'English' }).check();
    await form.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('cell', { name: 'vera@centre.test' }).waitFor();
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Edit Vera' }).click();
    await page.getByRole('spinbutton', { name: /Capacity/ }).first().fill('3');
    await page.getByRole('button', { name: 'Save Vera' }).click();
    await page.getByRole('row', { name: /Vera vera@centre.test Counsellor Bulgarian, English 3 Active/ }).waitFor();
    const users = await suite.env.app.auth.listUsers();
    expect(users.find((u) => u.email === 'vera@centre.test')).toMatchObject({ capacity: 3, languages: ['bg', 'en'], role: 'counsellor' });

    // Vera forgot her password: the admin sets a new one, and only that one opens her account.
    await page.getByRole('button', { name: 'Edit Vera' }).click();
    await page.getByLabel(/New password/).fill('battery-staple-2');
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes('/api/admin/staff/'));
    await page.getByRole('button', { name: 'Save Vera' }).click();
    expect((await saved).status()).toBe(200);
    await expect(login(suite.env.url, 'vera@centre.test', 'correct-horse-1')).rejects.toThrow();
    await login(suite.env.url, 'vera@centre.test', 'battery-staple-2');

    // The form is drawn with what is saved already: a MutationObserver reads the holidays field the
    // moment it enters the page (an edit made before an effect filled it in used to be overwritten).
    await suite.env.app.settings.set('hours', { holidays: ['2027-01-01'] });
    await page.evaluate(() => {
      new MutationObserver((_, observer) => {
        const field = [...document.querySelectorAll('label')].find((l) => l.textContent?.startsWith('Holidays'))?.querySelector('textarea');
        if (!field) return;
        (window as unknown as { firstHolidays: string }).firstHolidays = field.value;
        observer.disconnect();
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.getByRole('tab', { name: 'Hours and holidays' }).click();
    await page.getByLabel(/Holidays/).waitFor();
    expect(await page.evaluate(() => (window as unknown as { firstHolidays: string }).firstHolidays)).toBe('2027-01-01');
    await page.getByLabel(/Holidays/).fill('2026-12-24\n2026-12-25');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Saved.').waitFor();
    suite.env.app.settings.clearCache();
    expect((await suite.env.app.settings.get('hours')).holidays).toEqual(['2026-12-24', '2026-12-25']);
    expect(await axeViolations(page)).toEqual([]);
    await ctx.close();
  });

  it('shows the statistics of a period as charts and tables', { timeout: 60_000 }, async () => {
    const sup = await createStaff(suite.env.app, 'supervisor', { name: 'Sv' });
    await suite.env.app.db.execute(sql`insert into case_records (staff_id, channel, contact_type, categories, chi_categories, summary, created_at) values
      (${sup.profile.id}, 'phone', 'parent', '{grooming}', '{violence}', 's', '2026-02-10T10:00:00Z'),
      (${sup.profile.id}, 'chat', 'child', '{grooming,sexting}', '{violence,sexuality}', 's', '2026-02-11T10:00:00Z')`);
    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, sup.email, sup.password, '/stats');
    await page.getByRole('heading', { name: 'Statistics' }).waitFor();
    await page.getByLabel('From').fill('2026-02-01');
    await page.getByLabel('To (inclusive)').fill('2026-02-28');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('Contacts: 2').waitFor();
    await page.getByRole('img', { name: 'Chart: By category (Insafe)' }).waitFor();
    const insafe = page.locator('section', { has: page.getByRole('heading', { name: 'By category (Insafe)' }) });
    await insafe.getByRole('row', { name: 'Grooming 2' }).waitFor();
    await insafe.getByRole('row', { name: 'Sexting 1' }).waitFor();
    expect(await page.getByRole('link', { name: /Download CSV/ }).getAttribute('href')).toBe('/api/stats.csv?from=2026-02-01&to=2026-02-28&lang=en');
    expect(await axeViolations(page)).toEqual([]);
    await ctx.close();
  });
});
