// In Chromium: a counsellor opens "Cases" in the console and sees the records she wrote, newest first;
// she finds one by a word of its summary and by category, and never sees a colleague's; a supervisor
// sees both counsellors' records and narrows to her own. The page has no axe violations.
import { describe, expect, it } from 'vitest';
import { api, createStaff, login } from '../helpers.js';
import { axeViolations, useConsoleSuite } from '../console-browser.js';

const suite = useConsoleSuite();

describe('case records in the console', () => {
  it('a counsellor finds her own records; a supervisor everyone’s', { timeout: 90_000 }, async () => {
    const mila = await createStaff(suite.env.app, 'counsellor', { name: 'Mila' });
    const ivan = await createStaff(suite.env.app, 'counsellor', { name: 'Ivan' });
    const sara = await createStaff(suite.env.app, 'supervisor', { name: 'Sara' });
    const contact = async (who: { email: string; password: string }, summary: string, categories: string[]) => {
      const w = await login(suite.env.url, who.email, who.password);
      expect((await api(suite.env.url, w, 'POST', '/api/contacts', { channel: 'phone', contactType: 'child', categories, summary })).status).toBe(201);
    };
    await contact(mila, 'Threatened to share photos unless she pays', ['sextortion']);
    await contact(mila, 'Left out of the class group on purpose', ['cyberbullying']);
    await contact(ivan, 'Photos shared in a gaming chat', ['sexting']);

    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(15_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, mila.email, mila.password, '/cases');
    await page.getByRole('heading', { name: 'Case records' }).waitFor();
    await page.getByText('2 found (newest first)').waitFor();
    const summaries = () => page.locator('.case-summary dd.pre').allTextContents();
    expect(await summaries()).toEqual(['Left out of the class group on purpose', 'Threatened to share photos unless she pays']);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel('Word in the summary').fill('photos');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('1 found (newest first)').waitFor();
    expect(await summaries()).toEqual(['Threatened to share photos unless she pays']);
    await page.getByLabel('Word in the summary').fill('');
    await page.getByLabel('Category').selectOption('cyberbullying');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Left out of the class group on purpose').waitFor();
    expect(await summaries()).toEqual(['Left out of the class group on purpose']);
    await page.getByLabel('Category').selectOption('sexting');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No case record matches.').waitFor();

    const sp = await ctx.newPage();
    await ctx.clearCookies();
    await suite.consoleLogin(sp, sara.email, sara.password, '/cases');
    await sp.getByText('3 found (newest first)').waitFor();
    await sp.getByLabel('Word in the summary').fill('photos');
    await sp.getByRole('button', { name: 'Search' }).click();
    await sp.getByText('2 found (newest first)').waitFor();
    await sp.getByLabel('Only my cases').check();
    await sp.getByRole('button', { name: 'Search' }).click();
    await sp.getByText('No case record matches.').waitFor();
    await ctx.close();
  });
});
