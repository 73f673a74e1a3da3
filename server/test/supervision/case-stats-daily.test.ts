// Statistics of whole days come from case_stats_daily, kept by a trigger on case_records. Proven
// against the records themselves: after inserts, updates (a record moved to another day, another
// channel, other categories, a category named twice, fields emptied) and deletes, the counts of every
// period (whole days, periods that start or end within a day, within one day) equal the counts taken
// straight from case_records; and the migration's backfill rebuilds the same rows from the records.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { createStaff, startTestEnv, type TestEnv } from '../helpers.js';
import { execRows } from '../../src/db/client.js';
import { contactCounts, DIMENSIONS } from '../../src/cases/stats.js';

let env: TestEnv;
let staffId: string;
beforeAll(async () => {
  env = await startTestEnv();
  staffId = (await createStaff(env.app, 'counsellor')).profile.id;
});
afterAll(async () => {
  await env?.close();
});

const run = (q: ReturnType<typeof sql>) => execRows<Record<string, unknown>>(env.app.db, q);

/** The counts straight from the records, dimension by dimension. */
async function fromRecords(from: Date, to: Date) {
  const out: Record<string, Record<string, number>> = {};
  for (const [d, expr] of Object.entries(DIMENSIONS)) {
    const rows = await run(sql`select ${sql.raw(expr)} as k, count(*)::int as n from case_records where created_at >= ${from.toISOString()} and created_at < ${to.toISOString()} group by 1`);
    out[d] = Object.fromEntries(rows.map((r) => [(r.k as string | null) ?? 'not_recorded', r.n as number]));
  }
  return out;
}

const PERIODS: [string, string][] = [
  ['2026-03-01T00:00:00Z', '2026-03-08T00:00:00Z'], // whole days
  ['2026-03-02T13:30:00Z', '2026-03-06T09:15:00Z'], // both ends within a day
  ['2026-03-03T00:00:00Z', '2026-03-05T18:00:00Z'], // the end within a day
  ['2026-03-04T06:00:00Z', '2026-03-04T20:00:00Z'], // within one day
  ['2026-03-04T23:59:59Z', '2026-03-05T00:00:01Z'], // across one midnight
  ['2025-01-01T00:00:00Z', '2027-01-01T00:00:00Z'], // everything
];

async function expectSameCounts() {
  for (const [a, b] of PERIODS) {
    const [from, to] = [new Date(a), new Date(b)];
    expect(await contactCounts(env.app.db, from, to), `${a} … ${b}`).toEqual(await fromRecords(from, to));
  }
}

describe('daily case statistics', () => {
  it('equal the records’ own counts after inserts, updates and deletes, for whole and partial days', async () => {
    // 60 records over a week, every 2h48m, with spreads and empty fields.
    await run(sql`
      insert into case_records (staff_id, channel, contact_type, age_group, gender, categories, chi_categories, platform, outcome, summary, created_at)
      select ${staffId}, (array['chat','phone','email'])[1 + g % 3], (array['child','parent'])[1 + g % 2],
        case when g % 4 = 0 then null else '12-18' end, case when g % 5 = 0 then null else 'girl-woman' end,
        case when g % 7 = 0 then array['sexting','sexting'] else array[(array['cyberbullying','grooming','privacy'])[1 + g % 3]] end,
        array['violence'], case when g % 3 = 0 then 'gaming' end, 'advice-given', 'a summary',
        timestamptz '2026-03-01T01:00:00Z' + g * interval '2 hours 48 minutes'
      from generate_series(0, 59) g`);
    await expectSameCounts();
    // Moved to another day and channel, categories changed, a field emptied; others deleted.
    await run(sql`update case_records set created_at = created_at + interval '1 day 5 hours', channel = 'messenger', categories = array['e-crime','privacy'], age_group = null
                  where id in (select id from case_records order by created_at limit 10)`);
    await run(sql`update case_records set summary = '' where id in (select id from case_records order by created_at desc limit 5)`);
    await run(sql`delete from case_records where id in (select id from case_records order by created_at desc limit 7)`);
    await expectSameCounts();
  });

  it('are rebuilt by the migration’s backfill as the trigger keeps them', async () => {
    const file = readFileSync(new URL('../../../migrations/0011_case_stats_daily.sql', import.meta.url), 'utf8');
    const backfill = file.split('--> statement-breakpoint').at(-1)!;
    const kept = await run(sql`select day::text, dim, key, n from case_stats_daily where n <> 0 order by 1, 2, 3`);
    await run(sql`delete from case_stats_daily`);
    await env.app.db.execute(sql.raw(backfill));
    expect(await run(sql`select day::text, dim, key, n from case_stats_daily where n <> 0 order by 1, 2, 3`)).toEqual(kept);
  });
});
