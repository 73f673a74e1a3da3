// The cases feature's figures for the statistics report: contacts from case records (every channel,
// including those logged by hand). Anonymous counts only.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { execRows } from '../db/client.js';

type Counts = Record<string, number>;

/** Each dimension of the report and the column expression it counts (also the daily rollup's `dim`). */
export const DIMENSIONS = {
  byChannel: 'channel',
  byInsafeCategory: 'unnest(categories)',
  byChiCategory: 'unnest(chi_categories)',
  byContactType: 'contact_type',
  byAgeGroup: 'age_group',
  byGender: 'gender',
  byPlatform: 'platform',
  byOutcome: 'outcome',
} as const;
type Dimension = keyof typeof DIMENSIONS;

const DAY = 86_400_000;
const startOfUtcDay = (d: Date) => new Date(Math.floor(d.getTime() / DAY) * DAY);

/**
 * Every count of the period. Whole UTC days come from case_stats_daily (a trigger keeps it with every
 * write to case_records); the part of a day at either end of a period that does not start or end at
 * midnight is counted from the records themselves, in one statement whose CTE is read once per
 * dimension. A year of records read eight times took over a second (docs/performance.md).
 */
export async function contactCounts(db: Db, from: Date, to: Date): Promise<Record<Dimension, Counts>> {
  const firstDay = startOfUtcDay(new Date(from.getTime() + DAY - 1)); // from, rounded up to midnight
  const lastDay = startOfUtcDay(to); // to, rounded down
  const out = Object.fromEntries(Object.keys(DIMENSIONS).map((d) => [d, {} as Counts])) as Record<Dimension, Counts>;
  const add = (d: Dimension, k: string | null, n: number) => {
    const key = k || 'not_recorded';
    if (n) out[d][key] = (out[d][key] ?? 0) + n;
  };
  const edges: [Date, Date][] = firstDay < lastDay ? [[from, firstDay], [lastDay, to]] : [[from, to]];
  const raw = edges.filter(([a, b]) => a < b);
  await Promise.all([
    firstDay < lastDay &&
      execRows<{ d: Dimension; k: string; n: number }>(
        db,
        sql`select dim as d, key as k, sum(n)::int as n from case_stats_daily
            where day >= ${firstDay.toISOString().slice(0, 10)}::date and day < ${lastDay.toISOString().slice(0, 10)}::date
            group by 1, 2`,
      ).then((rows) => rows.forEach((r) => add(r.d, r.k, r.n))),
    ...raw.map(([a, b]) => rawCounts(db, a, b).then((rows) => rows.forEach((r) => add(r.d, r.k, r.n)))),
  ]);
  // Largest first, as the report lists them.
  for (const d of Object.keys(out) as Dimension[]) out[d] = Object.fromEntries(Object.entries(out[d]).sort((x, y) => y[1] - x[1]));
  return out;
}

/** The counts of [from, to) from the records themselves (a part of a day). */
async function rawCounts(db: Db, from: Date, to: Date) {
  // The expressions are the fixed ones above, never user input.
  const parts = (Object.entries(DIMENSIONS) as [Dimension, string][]).map(([name, expr]) => `select '${name}' as d, ${expr} as k, count(*)::int as n from c group by 2`);
  return execRows<{ d: Dimension; k: string | null; n: number }>(
    db,
    sql`with c as materialized (
          select channel, categories, chi_categories, contact_type, age_group, gender, platform, outcome from case_records
          where created_at >= ${from.toISOString()} and created_at < ${to.toISOString()})
        ${sql.raw(parts.join(' union all '))}`,
  );
}
