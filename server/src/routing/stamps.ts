// Connection stamps: a decision taken from a look at who is online (fetchSockets across instances) is
// written only if no connection was counted after the look began. Both times come from the database's
// clock (to the microsecond), so instances whose clocks differ agree on the order.
import { sql, type SQL } from 'drizzle-orm';
import { execRows, type Db } from '../db/client.js';
import { agentStates } from './tables.js';

/** The database's clock now (not the transaction's start), as Postgres text. */
export async function dbNow(db: Db): Promise<string> {
  const [row] = await execRows<{ t: string }>(db, sql`select clock_timestamp()::text as t`);
  return row!.t;
}

/** No connection of this counsellor was counted at or after `lookedAt` (from dbNow). */
export function noConnectionSince(lookedAt: string): SQL {
  return sql`(${agentStates.connectedAt} is null or ${agentStates.connectedAt} < ${lookedAt}::timestamptz)`;
}
