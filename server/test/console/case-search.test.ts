// Case search (GET /api/cases): a counsellor finds her own case records by a word of the summary, a
// category and a period; a supervisor finds everyone's. What someone typed is matched as letters (a
// `%` is not a pattern); each search is audited with the filters used, never their words; bad input
// gets a typed error. A word is found in either Serbian script, in any case, with or without diacritics
// ("Petar" finds "Петар"), on Postgres and on the embedded PGlite alike, by the same fold as the console's.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { searchFold } from '@helpline/shared';
import { api, createStaff, createTestDatabase, login, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';
import { auditEvents } from '../../src/audit/tables.js';
import { staffUsers } from '../../src/auth/tables.js';
import { caseRecords } from '../../src/cases/tables.js';
import { searchCases } from '../../src/cases/search.js';
import { blankSummariesBefore } from '../../src/cases/retention.js';
import { MIGRATIONS_DIR, openDatabase, type Database } from '../../src/db/client.js';
import { claimDataDir } from '../../src/infra/data-dir.js';

let env: TestEnv;
let anna: LoggedIn;
let boris: LoggedIn;
let sup: LoggedIn;
let vera: LoggedIn;
beforeAll(async () => {
  env = await startTestEnv();
  const who = async (role: 'counsellor' | 'supervisor') => {
    const s = await createStaff(env.app, role);
    return login(env.url, s.email, s.password);
  };
  [anna, boris, sup, vera] = await Promise.all([who('counsellor'), who('counsellor'), who('supervisor'), who('counsellor')]);
  const contact = (w: LoggedIn, summary: string, categories: string[]) =>
    api(env.url, w, 'POST', '/api/contacts', { channel: 'phone', contactType: 'child', categories, summary }).then((r) => expect(r.status).toBe(201));
  await contact(anna, 'A boy is blackmailed on Instagram', ['sextortion']);
  await contact(anna, 'Classmates mock her in a group chat', ['cyberbullying']);
  await contact(anna, 'Asked about 100% private accounts', ['privacy']);
  await contact(boris, 'Instagram account was stolen', ['privacy']);
  // A Serbian centre writes in either script.
  await contact(vera, 'Петар прети другу у групи', ['cyberbullying']);
  await contact(vera, 'Đorđe dobija poruke od nepoznatog', ['grooming']);
  await contact(vera, 'ЉУБИЦА не сме да каже родитељима', ['cyberbullying']);
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

  it('finds a word in either Serbian script, in any case, with or without diacritics', async () => {
    const found = async (q: string) => summaries(await search(vera, `?q=${encodeURIComponent(q)}`));
    for (const q of ['Petar', 'petar', 'PETAR', 'Петар', 'петар', 'pretI drugu']) expect(await found(q), q).toEqual(['Петар прети другу у групи']);
    for (const q of ['Ђорђе', 'Đorđe', 'đorđe', 'Djordje', 'Dorde', 'ДОБИЈА']) expect(await found(q), q).toEqual(['Đorđe dobija poruke od nepoznatog']);
    for (const q of ['Ljubica', 'LJUBICA', 'љубица', 'roditeljima']) expect(await found(q), q).toEqual(['ЉУБИЦА не сме да каже родитељима']);
    expect(await found('Marko')).toEqual([]);
  });

  it('folds in Postgres exactly as the console does, and a purge empties the folded copy', async () => {
    await expectSameFold(env.app.database);
    const [row] = await env.app.db.select().from(caseRecords).where(eq(caseRecords.summary, 'Петар прети другу у групи'));
    expect(row!.summaryFold).toBe('petar preti drugu u grupi');
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

/** Texts whose fold must be the same in Postgres (search_fold) and in the console (searchFold). */
const FOLD_SAMPLES = [
  'Петар', 'PETAR', 'Ђорђе', 'Đorđe', 'ĐORĐE', 'Djordje', 'DJORDJE', 'ЉУБИЦА', 'Љубица', 'Њ', 'ЏЕП', 'џеп', 'Džep',
  'Ћирилица и латиница', 'Šta ćeš, čoveče, žuriš?', 'ЖЕНЯ пише ЩО', 'Йордан Ёлка', 'Café naïve', '100% _x_ \\ a',
  'Instagram', 'ђј', 'Анђела', '',
];

async function expectSameFold(database: Database): Promise<void> {
  const folded: string[] = [];
  for (const s of FOLD_SAMPLES) folded.push((await database.query<{ f: string }>('select search_fold($1) as f', [s]))[0]!.f);
  expect(folded).toEqual(FOLD_SAMPLES.map(searchFold));
}

describe('case search on the embedded PGlite', () => {
  let dir: string;
  let database: Database;
  let release: () => Promise<void>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hl-case-search-'));
    const owner = await claimDataDir(dir);
    database = await openDatabase({ owner });
    release = () => owner.release();
  }, 60_000);
  afterAll(async () => {
    await database?.close();
    await release?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds a word in either script and folds as the console does', async () => {
    const [staff] = await database.db.insert(staffUsers).values({ email: 'fold@test.local', name: 'Fold', role: 'counsellor', passwordHash: 'x' }).returning();
    const staffId = staff!.id;
    await database.db.insert(caseRecords).values([
      { staffId, channel: 'phone', contactType: 'child', categories: ['cyberbullying'], summary: 'Петар прети другу у групи' },
      { staffId, channel: 'phone', contactType: 'child', categories: ['grooming'], summary: 'Đorđe dobija poruke' },
    ]);
    const found = async (q: string) => (await searchCases(database.db, { staffId, q, limit: 10 })).map((c) => c.summary);
    for (const q of ['Petar', 'petar', 'ПЕТАР']) expect(await found(q), q).toEqual(['Петар прети другу у групи']);
    for (const q of ['Ђорђе', 'Djordje', 'dorde']) expect(await found(q), q).toEqual(['Đorđe dobija poruke']);
    await expectSameFold(database);
    // Retention blanks a summary: its folded copy goes with it.
    await blankSummariesBefore(database.db, new Date(Date.now() + 60_000), new Date());
    expect(await found('petar')).toEqual([]);
    expect((await database.db.select().from(caseRecords)).map((r) => r.summaryFold)).toEqual(['', '']);
  });
});

describe('the case search fold migration', () => {
  it('folds the summaries written before it', async () => {
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
    const at = journal.entries.findIndex((e) => e.tag.endsWith('_case_search_fold'));
    expect(at).toBeGreaterThan(0);
    const before = mkdtempSync(path.join(tmpdir(), 'hl-fold-'));
    cpSync(MIGRATIONS_DIR, before, { recursive: true });
    writeFileSync(path.join(before, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
    const tdb = await createTestDatabase();
    const sql = postgres(tdb.url, { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(sql), { migrationsFolder: before });
      const [s] = await sql<{ id: string }[]>`insert into staff_users (email, name, role, password_hash) values ('f@example.org', 'F', 'counsellor', 'x') returning id`;
      await sql`insert into case_records (staff_id, channel, contact_type, summary) values (${s!.id}, 'phone', 'child', 'Ђорђе и Петар')`;
      await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS_DIR });
      expect((await sql<{ f: string }[]>`select summary_fold as f from case_records`).map((r) => r.f)).toEqual(['dorde i petar']);
    } finally {
      await sql.end();
      await tdb.drop();
      rmSync(before, { recursive: true, force: true });
    }
  }, 60_000);
});
