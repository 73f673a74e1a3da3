// An analyst's day (issue 22): receivers by name, the same URL in other open reports, search and
// filters of the queue with waiting time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { api, createStaff, login, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';
import { hotlineReports } from '../../src/hotline/tables.js';

let env: TestEnv;
let analyst: LoggedIn;
let supervisor: LoggedIn;
const tag = Date.now().toString(36);

beforeAll(async () => {
  env = await startTestEnv({ HOTLINE_POW_BITS: '0' });
  const who = async (role: 'analyst' | 'supervisor') => {
    const s = await createStaff(env.app, role);
    return login(env.url, s.email, s.password);
  };
  analyst = await who('analyst');
  supervisor = await who('supervisor');
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
