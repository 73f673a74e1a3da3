// In Chromium, an analyst's day (issue 22): she searches the queue (waiting times shown), opens a report
// whose URL is in another open report too, claims it (a colleague sees who holds it and cannot take it),
// applies an earlier assessment of a known URL only after seeing its age, records a forwarding and reads
// the receiver by name, follows the takedown timeline and its overdue reminder; a supervisor hands a
// report to the colleague. axe on each screen.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { eq } from 'drizzle-orm';
import { createStaff } from '../helpers.js';
import { hotlineReports } from '../../src/hotline/tables.js';
import { axeViolations, useConsoleSuite } from '../console-browser.js';

const suite = useConsoleSuite({ HOTLINE_POW_BITS: '0' });
const tag = Date.now().toString(36);

async function newPage(): Promise<Page> {
  const ctx = await suite.browser.newContext({ viewport: { width: 1280, height: 900 } });
  ctx.setDefaultTimeout(10_000);
  return ctx.newPage();
}

describe('hotline analysts in the console', () => {
  it('search, same URL elsewhere, claims, earlier assessment applied on confirmation, receivers by name, reassignment', { timeout: 90_000 }, async () => {
    const { env } = suite;
    const ana = await createStaff(env.app, 'analyst', { name: 'Ana Analyst' });
    const bob = await createStaff(env.app, 'analyst', { name: 'Bob Analyst' });
    const sue = await createStaff(env.app, 'supervisor', { name: 'Sue Supervisor' });
    const asAna = { id: ana.profile.id, role: 'analyst' as const };
    // Two open reports of the same page (as two citizens typed it), and a page assessed last week.
    const first = await env.app.hotline.create({ urls: [`https://www.dup-${tag}.example/album/1`] }, { source: 'form' });
    const second = await env.app.hotline.create({ urls: [`HTTPS://dup-${tag}.example/album/1/#top`] }, { source: 'widget' });
    const old = await env.app.hotline.create({ urls: [`https://known-${tag}.example/p`] }, { source: 'form' });
    await env.app.hotline.claim(old.id, asAna);
    const oldUrl = (await env.app.hotline.read(old.id, asAna)).urls[0]!;
    await env.app.hotline.assessUrl(old.id, oldUrl.id, asAna, { classification: 'baseline', hostingCountry: 'NL', hostingProvider: 'Example Hosting BV' });
    await env.app.hotline.setStatus(old.id, asAna, 'closed');
    const again = await env.app.hotline.create({ urls: [`https://known-${tag}.example/p?utm_source=chat`] }, { source: 'form' });
    // This one came in five days ago.
    await env.app.db.update(hotlineReports).set({ createdAt: new Date(Date.now() - 5 * 86_400_000) }).where(eq(hotlineReports.id, again.id));

    const ap = await newPage();
    await suite.consoleLogin(ap, ana.email, ana.password, '/hotline');
    await ap.getByRole('heading', { name: 'Hotline reports' }).waitFor();
    await ap.getByRole('button', { name: `Open ${first.reference}` }).waitFor();
    // The queue shows how long each report has waited.
    const firstRow = ap.getByRole('row').filter({ has: ap.getByRole('button', { name: `Open ${first.reference}` }) });
    await expect(firstRow.getByTestId('hl-waiting').textContent()).resolves.toMatch(/^\d+ min$/);
    const againRow = ap.getByRole('row').filter({ has: ap.getByRole('button', { name: `Open ${again.reference}` }) });
    await expect(againRow.getByTestId('hl-waiting').textContent()).resolves.toBe('5 d 0 h');
    expect(await axeViolations(ap)).toEqual([]);

    // Search by domain: both reports of that page, nothing else.
    const search = ap.getByRole('search', { name: 'Search reports' });
    await search.getByLabel('Reference, URL or domain').fill(`dup-${tag}.example`);
    await search.getByRole('button', { name: 'Search' }).click();
    await ap.getByRole('button', { name: `Open ${again.reference}` }).waitFor({ state: 'detached' });
    expect(await ap.getByRole('button', { name: /^Open HR-/ }).count()).toBe(2);
    await expect(firstRow.textContent()).resolves.toContain('1 known');
    // Filter by classification: the known page's old report is closed, the new one unassessed.
    await search.getByLabel('Reference, URL or domain').fill(`known-${tag}.example`);
    await search.getByLabel('Show').selectOption('all');
    await search.getByLabel('Classification').selectOption('baseline');
    await search.getByRole('button', { name: 'Search' }).click();
    await ap.getByRole('button', { name: `Open ${old.reference}` }).waitFor();
    expect(await ap.getByRole('button', { name: /^Open HR-/ }).count()).toBe(1);
    expect(await axeViolations(ap)).toEqual([]);
    await search.getByRole('button', { name: 'Clear filters' }).click();

    // The second report names the first, still open, for the same URL.
    await ap.getByRole('button', { name: `Open ${second.reference}` }).click();
    await ap.getByRole('heading', { name: `Report ${second.reference}` }).waitFor();
    const elsewhere = ap.getByTestId('hl-open-elsewhere');
    await elsewhere.getByText('The same URL is in 1 other open report(s):').waitFor();
    await elsewhere.getByRole('button', { name: `Open ${first.reference}` }).waitFor();
    await expect(elsewhere.textContent()).resolves.toContain('(New)');
    // Not held by anyone: no assessment form until she claims it.
    await ap.getByText('Nobody holds this report. Claim it to assess it.').waitFor();
    expect(await ap.getByRole('group', { name: 'Assessment of URL 1' }).count()).toBe(0);
    expect(await axeViolations(ap)).toEqual([]);
    await ap.getByRole('button', { name: 'Claim this report' }).click();
    await ap.getByText(/^You hold this report \(until .+ without a step\)\.$/).waitFor();
    await ap.getByRole('group', { name: 'Assessment of URL 1' }).waitFor();
    expect(await axeViolations(ap)).toEqual([]);

    // Her colleague sees who holds it, in the queue and in the report, and cannot take it.
    const bp = await newPage();
    await suite.consoleLogin(bp, bob.email, bob.password, '/hotline');
    const heldRow = bp.getByRole('row').filter({ has: bp.getByRole('button', { name: `Open ${second.reference}` }) });
    await expect(heldRow.getByTestId('hl-holder').textContent()).resolves.toBe('Ana Analyst');
    await bp.getByRole('button', { name: `Open ${second.reference}` }).click();
    await bp.getByText(/^Held by Ana Analyst \(until .+\)\.$/).waitFor();
    expect(await bp.getByRole('group', { name: 'Assessment of URL 1' }).count()).toBe(0);
    await bp.getByRole('button', { name: 'Claim this report' }).click();
    await bp.getByRole('alert').getByText('Another analyst holds this report, or your claim lapsed. Claim it first.').waitFor();
    expect(await axeViolations(bp)).toEqual([]);

    // A URL assessed before: shown with its age, applied only when she confirms.
    await ap.goto(`${env.url}/console/#/hotline/${again.id}`);
    await ap.getByRole('heading', { name: `Report ${again.reference}` }).waitFor();
    const earlier = ap.getByTestId('hl-earlier');
    await earlier.getByText(new RegExp(`^Assessed \\d+ min ago in ${old.reference}: Baseline \\(illegal everywhere\\) · NL · Example Hosting BV$`)).waitFor();
    expect(await earlier.getByRole('button', { name: 'Apply the earlier assessment' }).count()).toBe(0);
    await expect(ap.getByText('Not assessed yet').count()).resolves.toBe(1);
    await ap.getByRole('button', { name: 'Claim this report' }).click();
    await earlier.getByText('The content at an address can change: check it before you apply the earlier assessment.').waitFor();
    expect(await axeViolations(ap)).toEqual([]);
    await earlier.getByRole('button', { name: 'Apply the earlier assessment' }).click();
    await ap.getByTestId('hl-status').getByText('Assessed').waitFor();
    await ap.getByText(`Assessment taken over from ${old.reference}`).waitFor();

    // The forwarding is shown by the receiver's name and country, never its code.
    const add = ap.getByRole('group', { name: 'Record action' });
    await add.getByLabel('Action').selectOption('inhope');
    await add.locator('#hl-receiver').selectOption('nl-offlimits');
    await add.getByRole('button', { name: 'Record action' }).click();
    const cell = ap.locator('.hl-actions-table tbody td').nth(1);
    await cell.getByText('Offlimits (formerly EOKM), Netherlands').waitFor();
    expect(await ap.locator('.hl-actions-table').textContent()).not.toContain('nl-offlimits');
    expect(await axeViolations(ap)).toEqual([]);

    // A notice to the provider sent four days ago and no removal: overdue, in the report and the queue.
    const fourDaysAgo = new Date(Date.now() - 4 * 86_400_000).toISOString().slice(0, 10);
    await add.getByLabel('Action').selectOption('provider');
    await add.locator('#hl-receiver').fill('Example Hosting BV');
    await add.getByLabel('Date sent').fill(fourDaysAgo);
    await add.getByRole('button', { name: 'Record action' }).click();
    await ap.getByTestId('hl-overdue').getByText(/^The hosting provider was sent a notice and the content is still not removed: overdue since /).waitFor();
    const timeline = ap.getByTestId('hl-timeline');
    await timeline.getByText('Notice and takedown', { exact: true }).click();
    await timeline.getByText(/Sent to the partner hotline: Offlimits \(formerly EOKM\)$/).waitFor();
    await timeline.getByText(/Notice sent to the hosting provider: Example Hosting BV$/).waitFor();
    // In time order (a forwarding's date is a day, entered at noon UTC: it may come before or after the assessment today).
    const events = (await timeline.locator('li').allTextContents()).map((x) => x.replace(/^.*?: /, ''));
    expect(events.slice(0, 2)).toEqual(['Received', 'Notice sent to the hosting provider: Example Hosting BV']);
    expect(events.slice(2).sort()).toEqual(['Assessed', 'Sent to the partner hotline: Offlimits (formerly EOKM)']);
    expect(await axeViolations(ap)).toEqual([]);
    await ap.getByRole('link', { name: 'Back to the queue' }).click();
    const overdueRow = ap.getByRole('row').filter({ has: ap.getByRole('button', { name: `Open ${again.reference}` }) });
    await overdueRow.getByText('Takedown overdue').waitFor();
    await ap.getByLabel('Only takedowns overdue').check();
    await ap.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await ap.getByRole('button', { name: `Open ${first.reference}` }).waitFor({ state: 'detached' });
    expect(await ap.getByRole('button', { name: /^Open HR-/ }).count()).toBe(1);
    expect(await axeViolations(ap)).toEqual([]);

    // Removal confirmed: the reminder is gone and the time to removal is shown.
    await ap.getByRole('button', { name: `Open ${again.reference}` }).click();
    await ap.getByRole('button', { name: 'Record removal' }).click();
    await ap.getByTestId('hl-status').getByText('Content removed').waitFor();
    expect(await ap.getByTestId('hl-overdue').count()).toBe(0);
    await ap.getByTestId('hl-timeline').getByText(/^Notice and takedown: removed [\d.]+ h after the report$/).waitFor();

    // The supervisor hands the held report to Bob.
    const sp = await newPage();
    await suite.consoleLogin(sp, sue.email, sue.password, `/hotline/${second.id}`);
    await sp.getByText(/^Held by Ana Analyst/).waitFor();
    await sp.getByLabel('Give to analyst').selectOption({ label: 'Bob Analyst' });
    await sp.getByRole('button', { name: 'Reassign' }).click();
    await sp.getByText(/^Held by Bob Analyst/).waitFor();
    expect(await axeViolations(sp)).toEqual([]);
    await bp.reload();
    await bp.getByText(/^You hold this report/).waitFor();
    await bp.getByRole('group', { name: 'Assessment of URL 1' }).waitFor();
  });

  it('shows the statistics as INHOPE counts them, with a chart and a statistics CSV', { timeout: 60_000 }, async () => {
    // The reports of the test above: four URLs, two of them assessed (both illegal, hosted in the
    // Netherlands), two addresses new (the others were reported before).
    const { env } = suite;
    const sue = await createStaff(env.app, 'supervisor', { name: 'Sam Supervisor' });
    const sp = await newPage();
    await suite.consoleLogin(sp, sue.email, sue.password, '/hotline/stats');
    await sp.getByRole('heading', { name: 'Figures and exports' }).waitFor();
    await sp.getByRole('button', { name: 'Show figures' }).click();
    await sp.getByTestId('hl-shares').getByText('Found illegal: 2 of 2 assessed URLs (100%). New (never reported before): 2 of 4 URLs (50%).').waitFor();
    const country = sp.getByRole('figure', { name: 'Assessed URLs by hosting country' });
    await country.getByRole('img', { name: 'Netherlands: 2' }).waitFor();
    await sp.getByRole('figure', { name: "Illegal URLs by victims' age (where assessed)" }).waitFor();
    await sp.getByText(/^Time to police referral \(hours\): median —, average — \(0 reports\)$/).waitFor();
    const csv = await sp.getByRole('link', { name: 'Statistics (CSV)' }).getAttribute('href');
    const res = await sp.request.get(`${env.url}${csv}`);
    expect(res.status()).toBe(200);
    expect(await res.text()).toContain('"urls","illegal_share","1"');
    expect(await axeViolations(sp)).toEqual([]);
  });
});
