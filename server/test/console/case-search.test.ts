// Case search (GET /api/cases): a counsellor finds her own case records by a word of the summary, a
// category and a period; a supervisor finds everyone's. What someone typed is matched as letters (a
// `%` is not a pattern); each search is audited with the filters used, never their words; bad input
// gets a typed error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { api, createStaff, login, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';
import { auditEvents } from '../../src/audit/tables.js';

let env: TestEnv;
let anna: LoggedIn;
let boris: LoggedIn;
let sup: LoggedIn;
beforeAll(async () => {
  env = await startTestEnv();
  const who = async (role: 'counsellor' | 'supervisor') => {
    const s = await createStaff(env.app, role);
    return login(env.url, s.email, s.password);
  };
  [anna, boris, sup] = await Promise.all([who('counsellor'), who('counsellor'), who('supervisor')]);
  const contact = (w: LoggedIn, summary: string, categories: string[]) =>
    api(env.url, w, 'POST', '/api/contacts', { channel: 'phone', contactType: 'child', categories, summary }).then((r) => expect(r.status).toBe(201));
  await contact(anna, 'A boy is blackmailed on Instagram', ['sextortion']);
  await contact(anna, 'Classmates mock her in a group chat', ['cyberbullying']);
  await contact(anna, 'Asked about 100% private accounts', ['privacy']);
  await contact(boris, 'Instagram account was stolen', ['privacy']);
});
afterAll(async () => {
  await env?.close();
});

const search = (w: LoggedIn, query: string) => api(env.url, w, 'GET', `/api/cases${query}`);
const summaries = (r: { body: { cases: { summary: string }[] } }) => r.body.cases.map((c) => c.summary).sort();

describe('case search', () => {
  it('finds a counsellor’s own records by a word, newest first, never a colleague’s', async () => {
    const all = await search(anna, '');
    expect(all.status).toBe(200);
    expect(all.body.cases.map((c: { summary: string }) => c.summary)).toEqual(['Asked about 100% private accounts', 'Classmates mock her in a group chat', 'A boy is blackmailed on Instagram']);
    expect(summaries(await search(anna, '?q=instagram'))).toEqual(['A boy is blackmailed on Instagram']);
    expect(summaries(await search(boris, '?q=instagram'))).toEqual(['Instagram account was stolen']);
    // A supervisor sees everyone's, or her own with mine=true.
    expect(summaries(await search(sup, '?q=INSTAGRAM'))).toEqual(['A boy is blackmailed on Instagram', 'Instagram account was stolen']);
    expect((await search(sup, '?q=instagram&mine=true')).body.cases).toEqual([]);
  });

  it('filters by category and period, and matches what was typed as letters', async () => {
    expect(summaries(await search(sup, '?category=privacy'))).toEqual(['Asked about 100% private accounts', 'Instagram account was stolen']);
    const today = new Date().toISOString().slice(0, 10);
    expect((await search(anna, `?from=${today}&to=${today}`)).body.cases).toHaveLength(3);
    expect((await search(anna, '?to=2020-01-01')).body.cases).toEqual([]);
    expect(summaries(await search(anna, `?q=${encodeURIComponent('100%')}`))).toEqual(['Asked about 100% private accounts']);
    expect((await search(anna, `?q=${encodeURIComponent('%o%')}`)).body.cases).toEqual([]);
    expect((await search(anna, `?q=${encodeURIComponent('a_boy')}`)).body.cases).toEqual([]);
  });

  it('is audited with the filters used, not the words', async () => {
    await search(anna, '?q=blackmailed&category=sextortion');
    const rows = await env.app.db.select().from(auditEvents).where(and(eq(auditEvents.action, 'case.search'), eq(auditEvents.actorId, anna.profile.id)));
    const last = rows.at(-1)!;
    expect(last.meta).toMatchObject({ filters: 'category,q', own: true, found: 1 });
    expect(JSON.stringify(rows)).not.toContain('blackmailed');
  });

  it('answers bad input with a typed error and other roles with 403', async () => {
    // Over a limit: 413, as everywhere (http/validate.ts).
    for (const q of [`?q=${'x'.repeat(101)}`, '?limit=1000']) {
      const r = await search(anna, q);
      expect([r.status, r.body.error.code], q).toEqual([413, 'too_large']);
    }
    for (const q of ['?q=a', '?from=yesterday', '?category=nothing', '?from=2026-02-01&to=2026-01-01', '?other=1']) {
      const r = await search(anna, q);
      expect(r.status, q).toBe(400);
      expect(r.body.error.code, q).toBe('invalid_payload');
    }
    const admin = await createStaff(env.app, 'admin');
    expect((await search(await login(env.url, admin.email, admin.password), '')).status).toBe(403);
    expect((await api(env.url, null, 'GET', '/api/cases')).status).toBe(401);
  });
});
