// The audit log's part of retention: events older than the period are deleted.
import { lt } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { auditEvents } from './tables.js';

export async function deleteAuditEventsBefore(tx: DbOrTx, cutoff: Date): Promise<number> {
  return (await tx.delete(auditEvents).where(lt(auditEvents.at, cutoff)).returning({ id: auditEvents.id })).length;
}
