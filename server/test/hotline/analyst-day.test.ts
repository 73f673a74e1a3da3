// An analyst's day (issue 22): receivers by name, the same URL in other open reports, search and
// filters of the queue with waiting time, claims (one analyst at a time, lapsing, reassigned).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { api, createStaff, login, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';
import { hotlineReports } from '../../src/hotline/tables.js';

let env: TestEnv;
let analyst: LoggedIn;
let supervisor: LoggedIn;
let analyst2: LoggedIn;
const tag = Date.now().toString(36);

beforeAll(async () => {
  env = await startTestEnv({ HOTLINE_POW_BITS: '0' });
  const who = async (role: 'analyst' | 'supervisor') => {
    const s = await createStaff(env.app, role);
    return login(env.url, s.email, s.password);
  };
  analyst = await who('analyst');
  supervisor = await who('supervisor');
  analyst2 = await who('analyst');
});
afterAll(async () => {
  await env?.close();
});

const file = (urls: string[]) => env.app.hotline.create({ urls }, { source: 'form' });
const detail = async (id: string) => (await api(env.url, analyst, 'GET', `/api/hotline/reports/${id}`)).body;
async function assess(id: string, n: number, body: Record<string, unknown>) {
  const d = await detail(id);
  await api(env.url, analyst, 'POST', `/api/hotline/reports/${id}/claim`, {});
  const res = await api(env.url, analyst, 'PUT', `/api/hotline/reports/${id}/urls/${d.urls[n].id}/assessment`, body);
  expect(res.status).toBe(200);
  return res.body;
}

describe('receivers', () => {
  it('carry the member hotline\'s name, not only its code', async () => {
    const r = await file([`https://nl-host.example/${tag}/a`]);
    await assess(r.id, 0, { classification: 'baseline', hostingCountry: 'NL' });
    const res = await api(env.url, analyst, 'POST', `/api/hotline/reports/${r.id}/actions`, { kind: 'inhope', receiver: 'nl-offlimits' });
    expect(res.body.actions[0]).toMatchObject({ receiver: 'nl-offlimits', receiverName: 'Offlimits (formerly EOKM)', countryCode: 'NL' });
    const p = await api(env.url, analyst, 'POST', `/api/hotline/reports/${r.id}/actions`, { kind: 'provider', receiver: 'Host BV' });
    expect(p.body.actions[1]).toMatchObject({ receiver: 'Host BV', receiverName: 'Host BV' });
  });
});

describe('the same URL in other open reports', () => {
  it('is known in each open report (not only once assessed), and each names the others', async () => {
    const a = await file([`https://dup.example/${tag}/p`]);
    const b = await file([`HTTPS://WWW.Dup.example/${tag}/p/?utm_source=x#top`, `https://dup.example/${tag}/other`]);
    const da = await detail(a.id);
    const db = await detail(b.id);
    expect(da.knownUrlCount).toBe(1);
    expect(da.urls[0].openElsewhere).toEqual([{ reportId: b.id, reference: b.reference, status: 'new' }]);
    expect(db.urls[0].openElsewhere).toEqual([{ reportId: a.id, reference: a.reference, status: 'new' }]);
    expect(db.urls[1].openElsewhere).toEqual([]);
    expect(db.knownUrlCount).toBe(1);
    const queue = (await api(env.url, analyst, 'GET', '/api/hotline/reports?status=open')).body;
    expect(queue.find((r: any) => r.id === b.id).knownUrlCount).toBe(1);
    // A closed report no longer counts as open work on the URL.
    await api(env.url, analyst, 'POST', `/api/hotline/reports/${a.id}/status`, { status: 'closed' });
    expect((await detail(b.id)).urls[0].openElsewhere).toEqual([]);
    expect((await detail(b.id)).knownUrlCount).toBe(0);
  });
});

describe('search and filters', () => {
  let r1: { id: string; reference: string };
  let r2: { id: string; reference: string };
  let r3: { id: string; reference: string };
  beforeAll(async () => {
    r1 = await file([`https://www.search-${tag}.example/gallery/1`]);
    r2 = await file([`https://cdn.search-${tag}.example/img/2.jpg`, `https://elsewhere-${tag}.example/x`]);
    r3 = await file([`https://third-${tag}.example/z`]);
    await assess(r2.id, 0, { classification: 'baseline', hostingCountry: 'DE' });
    await assess(r2.id, 1, { classification: 'not-illegal', hostingCountry: 'US' });
    await assess(r3.id, 0, { classification: 'nationally-illegal', hostingCountry: 'de' });
    // r3 was received a week ago.
    await env.app.db.update(hotlineReports).set({ createdAt: new Date(Date.now() - 7 * 86_400_000) }).where(eq(hotlineReports.id, r3.id));
  });
  const ids = async (qs: string) => {
    const res = await api(env.url, supervisor, 'GET', `/api/hotline/reports?${qs}`);
    expect(res.status).toBe(200);
    return res.body.map((r: any) => r.id).filter((id: string) => [r1.id, r2.id, r3.id].includes(id)).sort();
  };

  it('finds by reference, by URL (any variant of it) and by domain with its subdomains', async () => {
    expect(await ids(`q=${r1.reference.toLowerCase()}`)).toEqual([r1.id]);
    expect(await ids(`q=${encodeURIComponent(`HTTP://SEARCH-${tag}.example/gallery/1/#frag`)}`)).toEqual([r1.id]);
    expect(await ids(`q=${encodeURIComponent(`search-${tag}.example`)}`)).toEqual([r1.id, r2.id].sort());
    expect(await ids(`q=${encodeURIComponent(`cdn.search-${tag}.example`)}`)).toEqual([r2.id]);
    // LIKE's wildcards are taken literally.
    expect(await ids(`q=${encodeURIComponent('%')}`)).toEqual([]);
  });

  it('filters by state, day received, hosting country and classification (of the same URL)', async () => {
    expect(await ids('status=assessed')).toEqual([r2.id, r3.id].sort());
    expect(await ids('status=new')).toEqual([r1.id]);
    const today = new Date().toISOString().slice(0, 10);
    const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    expect(await ids(`from=${today}`)).toEqual([r1.id, r2.id].sort());
    expect(await ids(`to=${weekAgo}`)).toEqual([r3.id]);
    expect(await ids(`from=${weekAgo}&to=${weekAgo}`)).toEqual([r3.id]);
    expect(await ids('hostingCountry=de')).toEqual([r2.id, r3.id].sort());
    expect(await ids('hostingCountry=DE&classification=baseline')).toEqual([r2.id]);
    expect(await ids('hostingCountry=US&classification=baseline')).toEqual([]);
    expect(await ids(`classification=unassessed&q=${encodeURIComponent(`search-${tag}.example`)}`)).toEqual([r1.id]);
    expect((await api(env.url, supervisor, 'GET', '/api/hotline/reports?hostingCountry=Germany')).status).toBe(400);
    expect((await api(env.url, supervisor, 'GET', '/api/hotline/reports?from=yesterday')).status).toBe(400);
  });

  it('keeps the open queue oldest first (the longest waiting on top)', async () => {
    const open = (await api(env.url, analyst, 'GET', '/api/hotline/reports?status=open')).body.map((r: any) => r.id);
    expect(open.indexOf(r3.id)).toBeLessThan(open.indexOf(r1.id));
  });
});

describe('claims', () => {
  const assessAs = async (who: LoggedIn, id: string) => {
    const d = await detail(id);
    return api(env.url, who, 'PUT', `/api/hotline/reports/${id}/urls/${d.urls[0].id}/assessment`, { classification: 'not-illegal' });
  };

  it('refuses an assessment without the claim, and shows everyone who holds it', async () => {
    const r = await file([`https://claim-${tag}.example/1`]);
    const none = await assessAs(analyst, r.id);
    expect(none).toMatchObject({ status: 409, body: { error: { code: 'not_claimed' } } });
    const taken = await api(env.url, analyst, 'POST', `/api/hotline/reports/${r.id}/claim`, {});
    expect(taken.status).toBe(200);
    expect(taken.body.claim).toMatchObject({ staffId: analyst.profile.id, name: analyst.profile.name });
    expect(new Date(taken.body.claim.lapsesAt).getTime() - new Date(taken.body.claim.at).getTime()).toBe(30 * 60_000);
    // The other analyst and the supervisor see who holds it, in the queue and in the report.
    const queue = (await api(env.url, analyst2, 'GET', '/api/hotline/reports?status=open')).body;
    expect(queue.find((x: any) => x.id === r.id).claim).toMatchObject({ staffId: analyst.profile.id, name: analyst.profile.name });
    expect((await api(env.url, supervisor, 'GET', `/api/hotline/reports/${r.id}`)).body.claim.name).toBe(analyst.profile.name);
    const other = await api(env.url, analyst2, 'POST', `/api/hotline/reports/${r.id}/claim`, {});
    expect(other).toMatchObject({ status: 409, body: { error: { code: 'not_claimed' } } });
    expect((await assessAs(analyst2, r.id)).body.error.code).toBe('not_claimed');
    expect((await api(env.url, analyst2, 'DELETE', `/api/hotline/reports/${r.id}/claim`)).body.error.code).toBe('not_claimed');
    expect((await assessAs(analyst, r.id)).status).toBe(200);
    const audit = await env.app.audit.search({ targetType: 'hotline_report', targetId: r.id, action: 'hotline.report.claim' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: analyst.profile.id, meta: { from: null, to: analyst.profile.id } });
  });

  it('gives a report claimed by two analysts at the same moment to exactly one', async () => {
    for (let i = 0; i < 5; i++) {
      const r = await file([`https://race-${tag}.example/${i}`]);
      const both = await Promise.all([analyst, analyst2].map((who) => api(env.url, who, 'POST', `/api/hotline/reports/${r.id}/claim`, {})));
      expect(both.map((x) => x.status).sort()).toEqual([200, 409]);
      const winner = both.find((x) => x.status === 200)!.body.claim.staffId;
      expect((await detail(r.id)).claim.staffId).toBe(winner);
    }
  });

  it('lapses after the set time without a step by its holder; then another analyst may take it', async () => {
    const r = await file([`https://lapse-${tag}.example/1`]);
    await api(env.url, analyst, 'POST', `/api/hotline/reports/${r.id}/claim`, {});
    await env.app.db.update(hotlineReports).set({ claimedAt: new Date(Date.now() - 31 * 60_000) }).where(eq(hotlineReports.id, r.id));
    expect((await detail(r.id)).claim).toBeNull();
    expect((await assessAs(analyst, r.id)).body.error.code).toBe('not_claimed');
    const taken = await api(env.url, analyst2, 'POST', `/api/hotline/reports/${r.id}/claim`, {});
    expect(taken.body.claim.staffId).toBe(analyst2.profile.id);
    const audit = await env.app.audit.search({ targetType: 'hotline_report', targetId: r.id, action: 'hotline.report.claim' });
    expect(audit[0]!.meta).toMatchObject({ from: null, to: analyst2.profile.id, lapsed: analyst.profile.id });
    // A step by the holder renews it.
    await env.app.db.update(hotlineReports).set({ claimedAt: new Date(Date.now() - 29 * 60_000) }).where(eq(hotlineReports.id, r.id));
    expect((await assessAs(analyst2, r.id)).status).toBe(200);
    expect(Date.now() - new Date((await detail(r.id)).claim.at).getTime()).toBeLessThan(60_000);
  });

  it('is handed over by a supervisor only, to an active analyst', async () => {
    const r = await file([`https://reassign-${tag}.example/1`]);
    await api(env.url, analyst, 'POST', `/api/hotline/reports/${r.id}/claim`, {});
    expect((await api(env.url, analyst, 'POST', `/api/hotline/reports/${r.id}/claim`, { staffId: analyst2.profile.id })).status).toBe(403);
    expect((await api(env.url, supervisor, 'POST', `/api/hotline/reports/${r.id}/claim`, { staffId: supervisor.profile.id })).status).toBe(400);
    const analysts = (await api(env.url, supervisor, 'GET', '/api/hotline/analysts')).body;
    expect(analysts.map((a: any) => a.id)).toEqual(expect.arrayContaining([analyst.profile.id, analyst2.profile.id]));
    expect(analysts.map((a: any) => a.id)).not.toContain(supervisor.profile.id);
    const moved = await api(env.url, supervisor, 'POST', `/api/hotline/reports/${r.id}/claim`, { staffId: analyst2.profile.id });
    expect(moved.body.claim.staffId).toBe(analyst2.profile.id);
    expect((await assessAs(analyst, r.id)).body.error.code).toBe('not_claimed');
    expect((await assessAs(analyst2, r.id)).status).toBe(200);
    const audit = await env.app.audit.search({ targetType: 'hotline_report', targetId: r.id, action: 'hotline.report.reassign' });
    expect(audit[0]).toMatchObject({ actorId: supervisor.profile.id, meta: { from: analyst.profile.id, to: analyst2.profile.id } });
    const freed = await api(env.url, analyst2, 'DELETE', `/api/hotline/reports/${r.id}/claim`);
    expect(freed.body.claim).toBeNull();
  });
});

describe('notice and takedown', () => {
  it('gives each URL its timeline and time to removal, and flags a notice to the provider unanswered for the set time', async () => {
    const r = await file([`https://takedown-${tag}.example/a`]);
    await assess(r.id, 0, { classification: 'baseline', hostingCountry: 'BG', hostingProvider: 'Local Host' });
    const fourDaysAgo = new Date(Date.now() - 4 * 86_400_000).toISOString();
    await api(env.url, analyst, 'POST', `/api/hotline/reports/${r.id}/actions`, { kind: 'inhope', receiver: 'nl-offlimits', sentAt: fourDaysAgo });
    const sent = await api(env.url, analyst, 'POST', `/api/hotline/reports/${r.id}/actions`, { kind: 'provider', receiver: 'Local Host', sentAt: fourDaysAgo });
    // The report itself came in five days ago.
    await env.app.db.update(hotlineReports).set({ createdAt: new Date(Date.now() - 5 * 86_400_000) }).where(eq(hotlineReports.id, r.id));
    const d = await detail(r.id);
    expect(d.takedownOverdueSince).toBe(new Date(new Date(sent.body.actions[1].sentAt).getTime() + 72 * 3_600_000).toISOString());
    expect(d.urls[0].timeline.map((e: any) => [e.event, e.kind ?? null, e.receiverName ?? null])).toEqual([
      ['received', null, null],
      ['sent', 'inhope', 'Offlimits (formerly EOKM)'],
      ['sent', 'provider', 'Local Host'],
      ['assessed', null, null],
    ]);
    expect(d.urls[0].hoursToRemoval).toBeNull();
    const overdue = async () => {
      const res = await api(env.url, analyst, 'GET', '/api/hotline/reports?takedown=overdue');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.map((x: any) => x.id);
    };
    expect(await overdue()).toContain(r.id);

    // A notice sent yesterday is not overdue yet.
    const fresh = await file([`https://takedown-${tag}.example/b`]);
    await assess(fresh.id, 0, { classification: 'baseline', hostingCountry: 'BG' });
    await api(env.url, analyst, 'POST', `/api/hotline/reports/${fresh.id}/actions`, { kind: 'provider', receiver: 'Local Host', sentAt: new Date(Date.now() - 86_400_000).toISOString() });
    expect((await detail(fresh.id)).takedownOverdueSince).toBeNull();
    expect(await overdue()).not.toContain(fresh.id);

    // Removal confirmed: the timeline ends with it, the time to removal is counted, the reminder is gone.
    const removed = await api(env.url, analyst, 'POST', `/api/hotline/reports/${r.id}/removal`, {});
    expect(removed.body.urls[0].timeline.at(-1).event).toBe('removed');
    expect(removed.body.urls[0].hoursToRemoval).toBeGreaterThanOrEqual(119.9);
    expect(removed.body.urls[0].hoursToRemoval).toBeLessThan(120.2);
    expect(removed.body.takedownOverdueSince).toBeNull();
    expect(await overdue()).not.toContain(r.id);
  });
});
