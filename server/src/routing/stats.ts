// Routing's figure for /metrics: counsellors by routing status.
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { execRows } from '../db/client.js';

export async function agentStatusCounts(db: Db): Promise<Map<string, number>> {
  const rows = await execRows<{ status: string; n: number }>(db, sql`select status, count(*)::int as n from agent_states group by status`);
  return new Map(rows.map((r) => [r.status, r.n]));
}
