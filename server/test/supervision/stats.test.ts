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
  // February 2026, per channel against each channel's target (chat 60 s, e-mail 86 400 s, phone 20 s):
  // chats answered in 30 s, 40 s and 200 s (median 40, mean 90); e-mails answered in 1 h and 30 h, one abandoned; a call in 10 s.
  await db.execute(sql`insert into conversations (channel, state, enqueued_at, first_accepted_at, accepted_at, ended_at, closed_at, assigned_staff_id) values
    ('chat', 'closed', '2026-02-02T10:00:00Z', '2026-02-02T10:00:30Z', '2026-02-02T10:00:30Z', '2026-02-02T10:05:00Z', '2026-02-02T10:06:00Z', ${staffId}),
    ('chat', 'closed', '2026-02-03T10:00:00Z', '2026-02-03T10:03:20Z', '2026-02-03T10:03:20Z', '2026-02-03T10:05:00Z', '2026-02-03T10:06:00Z', ${staffId}),
    ('chat', 'closed', '2026-02-03T11:00:00Z', '2026-02-03T11:00:40Z', '2026-02-03T11:00:40Z', '2026-02-03T11:05:00Z', '2026-02-03T11:06:00Z', ${staffId}),
    ('email', 'closed', '2026-02-04T10:00:00Z', '2026-02-04T11:00:00Z', '2026-02-04T11:00:00Z', '2026-02-04T11:05:00Z', '2026-02-04T11:06:00Z', ${staffId}),
    ('email', 'closed', '2026-02-05T10:00:00Z', '2026-02-06T16:00:00Z', '2026-02-06T16:00:00Z', '2026-02-06T16:05:00Z', '2026-02-06T16:06:00Z', ${staffId}),
    ('phone', 'closed', '2026-02-07T10:00:00Z', '2026-02-07T10:00:10Z', '2026-02-07T10:00:10Z', '2026-02-07T10:05:00Z', '2026-02-07T10:06:00Z', ${staffId})`);
  await db.execute(sql`insert into conversations (channel, state, enqueued_at, ended_at, ended_by, closed_at) values
    ('email', 'abandoned', '2026-02-08T09:00:00Z', '2026-02-09T09:00:00Z', 'system', '2026-02-09T09:00:00Z')`);
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

  it('gives each conversation channel its count, share within its own target and median first answer', async () => {
    const res = await api(env.url, sup, 'GET', '/api/stats?from=2026-02-01&to=2026-02-28');
    expect(res.status).toBe(200);
    expect(res.body.channels).toEqual([
      { channel: 'chat', count: 3, answered: 3, abandoned: 0, targetSeconds: 60, withinTargetShare: 0.667, medianFirstAnswerSeconds: 40 },
      { channel: 'email', count: 3, answered: 2, abandoned: 1, targetSeconds: 86_400, withinTargetShare: 0.333, medianFirstAnswerSeconds: 55_800 },
      { channel: 'phone', count: 1, answered: 1, abandoned: 0, targetSeconds: 20, withinTargetShare: 1, medianFirstAnswerSeconds: 10 },
    ]);
    // January's conversations are all web chats.
    expect((await api(env.url, sup, 'GET', '/api/stats?from=2026-01-01&to=2026-01-31')).body.channels).toEqual([
      { channel: 'chat', count: 3, answered: 2, abandoned: 1, targetSeconds: 60, withinTargetShare: 0.333, medianFirstAnswerSeconds: 60 },
    ]);
    const csv = await fetch(`${env.url}/api/stats.csv?from=2026-02-01&to=2026-02-28`, { headers: { cookie: sup.cookie } });
    expect((await csv.text()).trim().split('\r\n')).toEqual(
      expect.arrayContaining([
        'channel_service_level,email_count,3',
        'channel_service_level,email_target_seconds,86400',
        'channel_service_level,email_within_target_share,0.333',
        'channel_service_level,email_median_first_answer_seconds,55800',
        'channel_service_level,phone_within_target_share,1',
      ]),
    );
  });

  it('validates the period', async () => {
    expect((await api(env.url, sup, 'GET', '/api/stats?from=2026-02-01&to=2026-01-01')).status).toBe(400);
    expect((await api(env.url, sup, 'GET', '/api/stats?from=yesterday')).status).toBe(400);
    expect((await api(env.url, sup, 'GET', '/api/stats?from=2026-01-01&x=1')).status).toBe(400);
  });
});
