// Statistics for a period, checked against known data seeded straight into the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { api, createStaff, login, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';

let env: TestEnv;
let sup: LoggedIn;
beforeAll(async () => {
  env = await startTestEnv();
  const s = await createStaff(env.app, 'supervisor');
  sup = await login(env.url, s.email, s.password);
  const c = await createStaff(env.app, 'counsellor');
  const staffId = c.profile.id;
  const db = env.app.db;
  // Chats: two answered (30 s and 90 s to answer; 570 s and 1110 s handled), one abandoned, one outside.
  await db.execute(sql`insert into conversations (state, enqueued_at, first_accepted_at, accepted_at, ended_at, closed_at, assigned_staff_id) values
    ('closed', '2026-01-10T10:00:00Z', '2026-01-10T10:00:30Z', '2026-01-10T10:00:30Z', '2026-01-10T10:10:00Z', '2026-01-10T10:12:00Z', ${staffId}),
    ('closed', '2026-01-11T10:00:00Z', '2026-01-11T10:01:30Z', '2026-01-11T10:01:30Z', '2026-01-11T10:20:00Z', '2026-01-11T10:21:00Z', ${staffId}),
    ('closed', '2025-12-31T10:00:00Z', '2025-12-31T10:00:05Z', '2025-12-31T10:00:05Z', '2025-12-31T10:05:00Z', '2025-12-31T10:06:00Z', ${staffId})`);
  await db.execute(sql`insert into conversations (state, enqueued_at, ended_at, ended_by, closed_at) values
    ('abandoned', '2026-01-12T09:00:00Z', '2026-01-12T09:00:40Z', 'visitor', '2026-01-12T09:00:40Z')`);
  // Case records: three in January 2026 over three channels, one in December 2025.
  await db.execute(sql`insert into case_records (staff_id, channel, contact_type, age_group, gender, categories, chi_categories, platform, summary, outcome, created_at) values
    (${staffId}, 'chat', 'child', '12-18', 'girl-woman', '{cyberbullying,self-harm}', '{violence,mental-health}', 'social-media', 's', 'advice-given', '2026-01-10T10:12:00Z'),
    (${staffId}, 'phone', 'parent', 'adult', 'unknown', '{grooming}', '{violence}', 'gaming', 's', 'referred', '2026-01-15T12:00:00Z'),
    (${staffId}, 'email', 'teacher-professional', null, null, '{privacy}', '{peer-relationships}', null, 's', 'no-further-action', '2026-01-31T23:00:00Z'),
    (${staffId}, 'chat', 'child', '5-11', 'boy-man', '{sexting}', '{sexuality}', 'messaging', 's', 'advice-given', '2025-12-01T12:00:00Z')`);
  await db.execute(sql`insert into institutions (id, name, kind) values ('00000000-0000-4000-8000-000000000001', 'Police', 'police')`);
  await db.execute(sql`insert into referrals (institution_id, status, requested_by, created_at) values
    ('00000000-0000-4000-8000-000000000001', 'approved', ${staffId}, '2026-01-15T12:05:00Z'),
    ('00000000-0000-4000-8000-000000000001', 'rejected', ${staffId}, '2026-01-16T12:05:00Z')`);
  // Hotline: one report with two URLs (baseline, not illegal) in January.
  await db.execute(sql`insert into hotline_reports (id, reference, source, created_at) values ('00000000-0000-4000-8000-0000000000aa', 'HR-1', 'form', '2026-01-20T08:00:00Z')`);
  await db.execute(sql`insert into hotline_urls (report_id, position, url, normalized_url, host, classification) values
    ('00000000-0000-4000-8000-0000000000aa', 0, 'http://a.example/x', 'a.example/x', 'a.example', 'baseline'),
    ('00000000-0000-4000-8000-0000000000aa', 1, 'http://b.example/y', 'b.example/y', 'b.example', 'not-illegal')`);
});
afterAll(async () => {
  await env?.close();
});

describe('statistics', () => {
  it('counts contacts, chats, referrals and hotline reports of the period', async () => {
    const res = await api(env.url, sup, 'GET', '/api/stats?from=2026-01-01&to=2026-01-31');
    expect(res.status).toBe(200);
    const r = res.body;
    expect(r.contacts).toEqual({
      total: 3,
      byChannel: { chat: 1, phone: 1, email: 1 },
      byInsafeCategory: { cyberbullying: 1, 'self-harm': 1, grooming: 1, privacy: 1 },
      byChiCategory: { violence: 2, 'mental-health': 1, 'peer-relationships': 1 },
      byContactType: { child: 1, parent: 1, 'teacher-professional': 1 },
      byAgeGroup: { '12-18': 1, adult: 1, not_recorded: 1 },
      byGender: { 'girl-woman': 1, unknown: 1, not_recorded: 1 },
      byPlatform: { 'social-media': 1, gaming: 1, not_recorded: 1 },
      byOutcome: { 'advice-given': 1, referred: 1, 'no-further-action': 1 },
      referrals: 1,
    });
    expect(r.chat).toEqual({ offered: 3, answered: 2, abandoned: 1, asaSeconds: 60, avgHandleSeconds: 840, serviceLevel: { targetSeconds: 60, share: 0.333 } });
    expect(r.hotline).toEqual({ total: 1, byClassification: { baseline: 1, 'not-illegal': 1 } });
  });

  it('exports the same figures as CSV for the Insafe report', async () => {
    const res = await fetch(`${env.url}/api/stats.csv?from=2026-01-01&to=2026-01-31`, { headers: { cookie: sup.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('helpline-stats-2026-01-01-2026-02-01.csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('section,key,value');
    expect(lines).toEqual(
      expect.arrayContaining(['contacts,total,3', 'channel,phone,1', 'insafe_category,self-harm,1', 'chi_category,violence,2', 'chat,asa_seconds,60', 'chat,service_level_60s,0.333', 'hotline_classification,baseline,1']),
    );
    const audit = await env.app.audit.search({ action: 'stats.export' });
    expect(audit).toHaveLength(1);
  });

  it('validates the period', async () => {
    expect((await api(env.url, sup, 'GET', '/api/stats?from=2026-02-01&to=2026-01-01')).status).toBe(400);
    expect((await api(env.url, sup, 'GET', '/api/stats?from=yesterday')).status).toBe(400);
    expect((await api(env.url, sup, 'GET', '/api/stats?from=2026-01-01&x=1')).status).toBe(400);
  });
});
