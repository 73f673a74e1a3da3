import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { CannedResponse, CannedResponseInput, Language } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import { cannedResponses } from './tables.js';
import { DEFAULT_CANNED } from './defaults.js';

type Row = typeof cannedResponses.$inferSelect;
const toCanned = (r: Row): CannedResponse => ({ id: r.id, language: r.language, shortcut: r.shortcut, title: r.title, body: r.body, updatedAt: r.updatedAt.toISOString() });

export function createCannedService(db: Db, deps: { audit: AuditService }) {
  /** Seeds the defaults once per language: a language that ever had a row (even deleted) is left alone. */
  async function seedOnce(language: Language): Promise<void> {
    await db.transaction(async (tx) => {
      // Serialises concurrent first reads of the same language.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${'canned_seed:' + language}))`);
      const [any] = await tx.select({ id: cannedResponses.id }).from(cannedResponses).where(eq(cannedResponses.language, language)).limit(1);
      if (any) return;
      await tx.insert(cannedResponses).values(DEFAULT_CANNED[language].map((e) => ({ ...e, language })));
    });
  }

  return {
    async list(language: Language): Promise<CannedResponse[]> {
      await seedOnce(language);
      const rows = await db
        .select()
        .from(cannedResponses)
        .where(and(eq(cannedResponses.language, language), isNull(cannedResponses.deletedAt)))
        .orderBy(asc(cannedResponses.shortcut));
      return rows.map(toCanned);
    },
    async create(adminId: string, input: CannedResponseInput): Promise<CannedResponse> {
      await seedOnce(input.language);
      const [row] = await db.insert(cannedResponses).values(input).returning();
      await deps.audit.record({ actorType: 'staff', actorId: adminId, action: 'canned.create', targetType: 'canned_response', targetId: row!.id });
      return toCanned(row!);
    },
    async update(adminId: string, id: string, input: CannedResponseInput): Promise<CannedResponse> {
      const [row] = await db
        .update(cannedResponses)
        .set({ ...input, updatedAt: new Date() })
        .where(and(eq(cannedResponses.id, id), isNull(cannedResponses.deletedAt)))
        .returning();
      if (!row) throw new AppError('not_found', 'No such canned response');
      await deps.audit.record({ actorType: 'staff', actorId: adminId, action: 'canned.update', targetType: 'canned_response', targetId: id });
      return toCanned(row);
    },
    async remove(adminId: string, id: string): Promise<void> {
      const [row] = await db.update(cannedResponses).set({ deletedAt: new Date() }).where(and(eq(cannedResponses.id, id), isNull(cannedResponses.deletedAt))).returning();
      if (!row) throw new AppError('not_found', 'No such canned response');
      await deps.audit.record({ actorType: 'staff', actorId: adminId, action: 'canned.delete', targetType: 'canned_response', targetId: id });
    },
  };
}
export type CannedService = ReturnType<typeof createCannedService>;
