// Hotline statistics as INHOPE counts them (issue 22): share found illegal, share new, site type,
// hosting country, victims' age band and gender where assessed, time to police referral and to removal;
// as JSON for the console's chart and as a statistics CSV. Its own database: the counts are exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createStaff, login, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';

let env: TestEnv;
let analyst: LoggedIn;
let supervisor: LoggedIn;

beforeAll(async () => {
  env = await startTestEnv({ HOTLINE_POW_BITS: '0' });
  analyst = await (async () => {
    const s = await createStaff(env.app, 'analyst');
    return login(env.url, s.email, s.password);
  })();
  const s = await createStaff(env.app, 'supervisor');
  supervisor = await login(env.url, s.email, s.password);

  const one = await env.app.hotline.create({ urls: ['https://pics.example/a', 'https://news.example/b'] }, { source: 'form' });
  await api(env.url, analyst, 'POST', `/api/hotline/reports/${one.id}/claim`, {});
  const d1 = (await api(env.url, analyst, 'GET', `/api/hotline/reports/${one.id}`)).body;
  await api(env.url, analyst, 'PUT', `/api/hotline/reports/${one.id}/urls/${d1.urls[0].id}/assessment`, { classification: 'baseline', victimAge: 'pre-pubescent', victimGender: 'girls', siteType: 'image-host', hostingCountry: 'NL' });
  await api(env.url, analyst, 'PUT', `/api/hotline/reports/${one.id}/urls/${d1.urls[1].id}/assessment`, { classification: 'not-illegal', siteType: 'website', hostingCountry: 'BG' });
  const police = await api(env.url, analyst, 'POST', `/api/hotline/reports/${one.id}/actions`, { kind: 'police', receiver: 'Cybercrime unit' });
  await api(env.url, supervisor, 'POST', `/api/hotline/actions/${police.body.actions[0].id}/decision`, { approve: true });
  await api(env.url, analyst, 'POST', `/api/hotline/reports/${one.id}/removal`, {});

  // The same picture page again (not new), its earlier assessment applied; and a page nobody assessed yet.
  const two = await env.app.hotline.create({ urls: ['https://www.pics.example/a#x', 'https://new.example/c'] }, { source: 'widget' });
  await api(env.url, analyst, 'POST', `/api/hotline/reports/${two.id}/claim`, {});
  const d2 = (await api(env.url, analyst, 'GET', `/api/hotline/reports/${two.id}`)).body;
  await api(env.url, analyst, 'POST', `/api/hotline/reports/${two.id}/urls/${d2.urls[0].id}/apply-earlier`, { fromUrlId: d2.urls[0].earlier.urlId });
});
afterAll(async () => {
  await env?.close();
});

describe('hotline statistics', () => {
  it('counts URLs found illegal and new, by site type, country, victims\' age and gender, and the times to police and removal', async () => {
    const res = await api(env.url, supervisor, 'GET', '/api/hotline/stats');
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s).toMatchObject({ total: 2, urls: 4, assessedUrls: 3, illegalUrls: 2, illegalShare: 0.67, newUrls: 3, newShare: 0.75 });
    // Site type, age and gender of the illegal URLs only (the not-illegal website is not among them).
    expect(s.bySiteType).toEqual({ 'image-host': 2 });
    expect(s.byVictimAge).toEqual({ 'pre-pubescent': 2 });
    expect(s.byVictimGender).toEqual({ girls: 2 });
    expect(s.byHostingCountry).toEqual({ NL: 2, BG: 1 });
    expect(s.timeToPoliceHours.count).toBe(1);
    expect(s.timeToPoliceHours.median).toBeGreaterThanOrEqual(0);
    expect(s.timeToPoliceHours.median).toBeLessThan(0.1);
    expect(s.timeToRemovalHours).toMatchObject({ count: 1, removedWithin3DaysShare: 1 });
  });

  it('gives the same figures as a statistics CSV, one figure per row', async () => {
    const res = await fetch(`${env.url}/api/hotline/stats?format=csv`, { headers: { cookie: supervisor.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('hotline-statistics.csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('figure,key,value');
    for (const row of ['"urls","illegal_share","0.67"', '"urls","new_share","0.75"', '"site_type","image-host","2"', '"victim_age","pre-pubescent","2"', '"victim_gender","girls","2"', '"hosting_country","NL","2"', '"hours_to_police","count","1"', '"hours_to_removal","removed_within_3_days_share","1"']) {
      expect(lines).toContain(row);
    }
    // A period with nothing in it: no shares, not a division by zero.
    const empty = await api(env.url, supervisor, 'GET', '/api/hotline/stats?from=2001-01-01T00:00:00Z&to=2001-02-01T00:00:00Z');
    expect(empty.body).toMatchObject({ total: 0, urls: 0, illegalShare: null, newShare: null, bySiteType: {}, timeToPoliceHours: { count: 0, median: null } });
  });
});
