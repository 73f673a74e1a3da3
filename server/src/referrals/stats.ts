// The referrals feature's figure for the statistics report.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { execRows } from '../db/client.js';

/** Referrals made in [from, to), rejected ones left out. */
export async function referralCount(db: Db, from: Date, to: Date): Promise<number> {
  const [ref] = await execRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from referrals
        where created_at >= ${from.toISOString()} and created_at < ${to.toISOString()} and status <> 'rejected'`,
  );
  return ref?.n ?? 0;
}
