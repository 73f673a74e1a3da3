// In Chromium: a Bulgarian centre becomes a Serbian one from the admin pages. The admin first makes the
// centre's own edits (a holiday, an institution, a risk word, the centre's name), then picks Serbia in
// Administration → Centre profile, sees what it sets before applying, applies it, and finds the Serbian
// languages, time zone, holidays, institutions and hotline routing in the other tabs with every one of her
// edits still there (and Bulgaria's institutions and holidays too: applying never deletes).
import { describe, expect, it } from 'vitest';
import { createStaff } from '../../server/test/helpers.js';
import { axeViolations, useConsoleSuite } from '../../server/test/console-browser.js';
import { lookup } from '../src/i18n/index.js';
import '../src/admin/i18n.js';
import { ensureBuilt } from './build.js';

ensureBuilt('agent-console', 'index.html');
const suite = useConsoleSuite({ CENTRE_PROFILE: 'bg' });
const L = (k: string, params: Record<string, string> = {}) => lookup('en', k)!.replace(/\{(\w+)\}/g, (_, p: string) => params[p] ?? '');
const year = new Date().getUTCFullYear();

describe('the centre profile in the admin pages', () => {
  it('applies Serbia to a Bulgarian centre without losing its own edits', { timeout: 90_000 }, async () => {
    const admin = await createStaff(suite.env.app, 'admin', { name: 'Ada' });
    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await suite.consoleLogin(page, admin.email, admin.password, '/admin');
    await page.getByRole('heading', { name: L('ad.title') }).waitFor();
    const tab = (k: string) => page.getByRole('tab', { name: L(`ad.tab.${k}`) }).click();
    const save = async () => {
      await page.getByRole('button', { name: L('common.save') }).click();
      await page.getByText(L('ad.saved')).waitFor();
    };

    // The centre's own edits, before the switch.
    await tab('hours');
    const holidays = page.getByLabel(L('ad.hours.holidays'));
    await expect.poll(() => holidays.inputValue()).toContain(`${year}-03-03`);
    await holidays.fill(`${await holidays.inputValue()}\n2030-06-01`);
    await save();
    await tab('risk');
    const english = page.getByLabel(L('ad.risk.list', { lang: L('language.en') }));
    await expect.poll(() => english.inputValue()).not.toBe('');
    await english.fill(`${await english.inputValue()}\nmy own word`);
    await save();
    await tab('widget');
    await page.getByLabel(L('ad.widget.centreName')).fill('Our centre');
    await save();
    await page.getByRole('link', { name: L('nav.institutions') }).click();
    const newInstitution = page.getByRole('form', { name: L('inst.new') });
    await newInstitution.getByLabel(L('inst.name')).fill('Local youth centre');
    await newInstitution.getByRole('button', { name: L('common.add') }).click();
    await page.getByRole('cell', { name: 'Local youth centre', exact: true }).waitFor();

    // Serbia: what it sets is shown before it is applied.
    await page.getByRole('link', { name: L('nav.admin') }).click();
    await tab('profile');
    await page.getByText(L('ad.profile.current', { name: L('ad.profile.bg'), when: '' }).replace(/\.$/, '').trim()).waitFor();
    await page.getByRole('combobox', { name: L('ad.profile.choose'), exact: true }).selectOption('sr');
    const summary = page.getByTestId('profile-summary');
    await summary.getByText('Europe/Belgrade').waitFor();
    expect(await summary.textContent()).toContain([L('language.sr-Cyrl'), L('language.sr-Latn'), L('language.en')].join(', '));
    await page.getByRole('button', { name: L('ad.profile.apply') }).click();
    await page.getByText(L('ad.profile.applied')).waitFor();
    await page.getByText(new RegExp(`^Applied: ${L('ad.profile.sr')}, `)).waitFor();
    // The hotline routing below it now is Serbia's.
    await expect.poll(() => page.getByLabel(L('ad.routing.nationalMemberCode')).inputValue()).toBe('rs-net-patrola');
    expect(await page.getByLabel(L('ad.routing.policeUnit')).inputValue()).toBe('Посебно тужилаштво за високотехнолошки криминал');
    expect(await axeViolations(page)).toEqual([]);

    // The other tabs: Serbia's time zone and holidays, her holiday and Bulgaria's still there.
    await tab('hours');
    const tz = page.getByLabel(L('ad.hours.timeZone'));
    await expect.poll(() => tz.inputValue()).toBe('Europe/Belgrade');
    const days = (await holidays.inputValue()).split('\n');
    expect(days).toEqual(expect.arrayContaining([`${year}-01-07`, `${year}-02-15`, '2030-06-01', `${year}-03-03`]));
    // Serbia's languages offered in the widget, Bulgarian no longer; the centre's name kept.
    await tab('widget');
    const centreName = page.getByLabel(L('ad.widget.centreName'));
    await expect.poll(() => centreName.inputValue()).toBe('Our centre');
    const offered = async (l: string) => page.getByRole('checkbox', { name: L(`language.${l}`), exact: true }).isChecked();
    expect([await offered('sr-Cyrl'), await offered('sr-Latn'), await offered('en'), await offered('bg')]).toEqual([true, true, true, false]);
    expect(await page.getByLabel(L('ad.widget.defaultLanguage')).inputValue()).toBe('sr-Cyrl');
    // Serbia's risk words beside her own.
    await tab('risk');
    await expect.poll(() => english.inputValue()).toContain('my own word');
    expect(await page.getByLabel(L('ad.risk.list', { lang: L('language.sr-Cyrl') })).inputValue()).toContain('самоубиств');
    // Serbia's institutions added; hers and Bulgaria's kept.
    await page.getByRole('link', { name: L('nav.institutions') }).click();
    for (const name of ['Local youth centre', 'Посебно тужилаштво за високотехнолошки криминал', 'Министарство просвете', 'State Agency for Child Protection']) {
      await page.getByRole('cell', { name, exact: true }).waitFor();
    }
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
