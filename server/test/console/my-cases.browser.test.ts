// In Chromium: a counsellor finds a case record she saved in "Cases", reopens it and completes it, sets
// a follow-up day; the follow-up shows with a count in the navigation and on the Cases page until she
// marks it done. The history says who changed which fields; the audit names the fields, never the words.
// A colleague's record is not in her list, and its address gives her no record.
import { describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { api, createStaff, login } from '../helpers.js';
import { axeViolations, useConsoleSuite } from '../console-browser.js';
import { execRows } from '../../src/db/client.js';

const suite = useConsoleSuite();

describe('my cases', () => {
  it('reopens a saved record, completes it, and reminds of its follow-up until it is done', { timeout: 60_000 }, async () => {
    const lina = await createStaff(suite.env.app, 'counsellor', { name: 'Lina' });
    const bob = await createStaff(suite.env.app, 'counsellor', { name: 'Bob' });
    const linaWho = await login(suite.env.url, lina.email, lina.password);
    const bobWho = await login(suite.env.url, bob.email, bob.password);
    // Saved in a hurry after a phone call: to be completed later.
    const saved = await api(suite.env.url, linaWho, 'POST', '/api/contacts', { channel: 'phone', contactType: 'child', categories: ['cyberbullying'], summary: 'Call about a group chat' });
    expect(saved.status).toBe(201);
    const bobs = await api(suite.env.url, bobWho, 'POST', '/api/contacts', { channel: 'email', contactType: 'parent', categories: ['grooming'], summary: 'Bob’s own case' });
    expect(bobs.status).toBe(201);
    const { timeZone } = await suite.env.app.settings.get('hours');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());

    const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
    ctx.setDefaultTimeout(10_000);
    const page = await ctx.newPage();
    await suite.consoleLogin(page, lina.email, lina.password, '/cases');
    await page.getByRole('heading', { name: 'Case records', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'Follow-ups due' }).waitFor();
    await page.getByText('No follow-up is due.').waitFor();
    expect(await page.getByTestId('follow-ups-badge').count()).toBe(0);
    // Only her own record is listed.
    await page.getByText('Call about a group chat').waitFor();
    expect(await page.getByText('Bob’s own case').count()).toBe(0);

    // Open it from the list and complete it.
    await page.getByRole('link', { name: /^Open the case record of / }).click();
    await page.getByRole('heading', { name: /^Case record of / }).waitFor();
    await page.getByText('No follow-up set.').waitFor();
    await page.getByText('Not changed since it was saved.').waitFor();
    const summary = page.getByRole('textbox', { name: /Summary/ });
    expect(await summary.inputValue()).toBe('Call about a group chat');
    await summary.fill('Call about a group chat. Told the teacher; calls back next week.');
    await page.getByLabel('Outcome').selectOption({ index: 1 });
    await page.getByLabel('Follow-up on').fill(today);
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Save the case record' }).click();
    await page.getByText('Saved.').waitFor();
    const history = page.getByTestId('case-history');
    await history.getByText(/Lina · Outcome, Summary, Follow-up on|Lina · Summary, Outcome, Follow-up on/).waitFor();
    await page.getByTestId('follow-up-state').filter({ hasText: /^Follow-up on / }).waitFor();

    // Due today: a count in the navigation, and the reminder on the Cases page.
    const badge = page.getByRole('navigation').getByTestId('follow-ups-badge');
    await badge.waitFor();
    expect(await badge.textContent()).toBe('1Follow-ups due: 1');
    await page.getByRole('link', { name: 'Back to the case records' }).click();
    const due = page.getByTestId('follow-up');
    await expect.poll(() => due.count()).toBe(1);
    expect(await due.textContent()).toContain('Cyberbullying');
    expect(await axeViolations(page)).toEqual([]);

    // The audit and the history hold the names of the fields, never what was written.
    const audit = await execRows<{ meta: Record<string, string> }>(suite.env.app.db, sql`select meta from audit_events where action = 'case.update' and target_id = ${saved.body.id}`);
    expect(audit.map((a) => a.meta.fields)).toEqual(['summary,outcome,followUpOn']);
    expect(JSON.stringify(audit)).not.toContain('teacher');

    // A colleague's record by its address: refused, and nothing of it is shown.
    await page.evaluate((id) => (location.hash = `#/cases/${id}`), bobs.body.id);
    await page.getByRole('alert').waitFor();
    expect(await page.getByText('Bob’s own case').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save the case record' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Back to the case records' }).click();

    // Done: the reminder and the count go.
    await due.getByRole('button', { name: 'Mark done' }).click();
    await page.getByText('No follow-up is due.').waitFor();
    await badge.waitFor({ state: 'detached' });
    await page.getByRole('link', { name: /^Open the case record of / }).click();
    await page.getByTestId('follow-up-state').filter({ hasText: /: done / }).waitFor();
    await history.getByText(/Lina · follow-up done/).waitFor();
    await ctx.close();
  });
});
