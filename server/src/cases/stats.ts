// The cases feature's figures for the statistics report: contacts from case records (every channel,
// including those logged by hand). Anonymous counts only.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { execRows } from '../db/client.js';

type Counts = Record<string, number>;

async function countBy(db: Db, expr: string, from: Date, to: Date): Promise<Counts> {
  // `expr` is one of the fixed column expressions below, never user input. A field left empty counts as
  // 'not_recorded' (distinct from an explicit 'unknown').
  const rows = await execRows<{ k: string | null; n: number }>(
    db,
    sql`select ${sql.raw(expr)} as k, count(*)::int as n from case_records
        where created_at >= ${from.toISOString()} and created_at < ${to.toISOString()} group by 1 order by 2 desc`,
  );
  return Object.fromEntries(rows.map((r) => [r.k ?? 'not_recorded', r.n]));
}

export async function contactCounts(db: Db, from: Date, to: Date) {
  const [byChannel, byInsafeCategory, byChiCategory, byContactType, byAgeGroup, byGender, byPlatform, byOutcome] = await Promise.all([
    countBy(db, 'channel', from, to),
    countBy(db, 'unnest(categories)', from, to),
    countBy(db, 'unnest(chi_categories)', from, to),
    countBy(db, 'contact_type', from, to),
    countBy(db, 'age_group', from, to),
    countBy(db, 'gender', from, to),
    countBy(db, 'platform', from, to),
    countBy(db, 'outcome', from, to),
  ]);
  return { byChannel, byInsafeCategory, byChiCategory, byContactType, byAgeGroup, byGender, byPlatform, byOutcome };
}
