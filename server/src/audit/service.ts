import { and, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { DbOrTx, Db } from '../db/client.js';
import { auditEvents } from './tables.js';

export type AuditInput = Omit<typeof auditEvents.$inferInsert, 'id' | 'at'>;

export function createAuditService(db: Db) {
  return {
    /** Record an event; pass a transaction to make it part of the change it describes. */
    async record(ev: AuditInput, tx: DbOrTx = db): Promise<void> {
      await tx.insert(auditEvents).values(ev);
    },
    async search(q: { targetType?: string; targetId?: string; actorId?: string; action?: string; from?: Date; to?: Date; limit?: number }) {
      const conds: SQL[] = [];
      if (q.targetType) conds.push(eq(auditEvents.targetType, q.targetType));
      if (q.targetId) conds.push(eq(auditEvents.targetId, q.targetId));
      if (q.actorId) conds.push(eq(auditEvents.actorId, q.actorId));
      if (q.action) conds.push(eq(auditEvents.action, q.action));
      if (q.from) conds.push(gte(auditEvents.at, q.from));
      if (q.to) conds.push(lte(auditEvents.at, q.to));
      return db
        .select()
        .from(auditEvents)
        .where(conds.length ? and(...conds) : undefined)
        .orderBy(desc(auditEvents.id))
        .limit(Math.min(q.limit ?? 200, 1000));
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
