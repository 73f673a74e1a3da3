import { eq } from 'drizzle-orm';
import { CASE_CHANNEL_OF, chiCategoriesFor, type CaseRecord, type CaseRecordInput, type Channel } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import type { ConversationService } from '../conversations/service.js';
import type { RoutingService } from '../routing/service.js';
import { caseRecords } from './tables.js';

type CaseRow = typeof caseRecords.$inferSelect;

export function toCaseRecord(r: CaseRow): CaseRecord {
  return {
    id: r.id,
    conversationId: r.conversationId,
    channel: r.channel,
    staffId: r.staffId,
    contactType: r.contactType,
    ...(r.ageGroup ? { ageGroup: r.ageGroup } : {}),
    ...(r.gender ? { gender: r.gender } : {}),
    categories: r.categories,
    chiCategories: r.chiCategories,
    ...(r.platform ? { platform: r.platform } : {}),
    ...(r.riskLevel ? { riskLevel: r.riskLevel } : {}),
    summary: r.summary,
    ...(r.outcome ? { outcome: r.outcome } : {}),
    followUpOn: r.followUpOn,
    followUpDoneAt: r.followUpDoneAt?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** A case record's columns from its input (also the reopened record's, cases/records.ts). */
export function columns(input: CaseRecordInput) {
  return {
    contactType: input.contactType,
    ageGroup: input.ageGroup ?? null,
    gender: input.gender ?? null,
    categories: input.categories,
    chiCategories: chiCategoriesFor(input.categories),
    platform: input.platform ?? null,
    riskLevel: input.riskLevel ?? null,
    summary: input.summary,
    outcome: input.outcome ?? null,
  };
}

export function createCaseService(db: Db, deps: { conversations: ConversationService; routing: RoutingService; audit: AuditService }) {
  return {
    /** Who wrote a case record and for which conversation (referrals check the relation with it). */
    async caseRef(caseId: string): Promise<{ staffId: string; conversationId: string | null } | null> {
      const [cr] = await db.select({ staffId: caseRecords.staffId, conversationId: caseRecords.conversationId }).from(caseRecords).where(eq(caseRecords.id, caseId));
      return cr ?? null;
    },
    async caseIdOf(conversationId: string): Promise<string | null> {
      const [cr] = await db.select({ id: caseRecords.id }).from(caseRecords).where(eq(caseRecords.conversationId, conversationId));
      return cr?.id ?? null;
    },

    /** Ends the chat if still live, stores the case record and closes the conversation, in that order. */
    async closeConversation(staffId: string, conversationId: string, input: CaseRecordInput) {
      let c = await deps.conversations.get(conversationId);
      if (c.assignedStaffId !== staffId) throw new AppError('forbidden', 'This conversation is not assigned to you');
      if (c.state === 'active') c = await deps.routing.endConversation(c.id, 'counsellor');
      if (c.state !== 'wrapup') throw new AppError('invalid_state', `The conversation is ${c.state}`);
      const record = await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(caseRecords)
          .values({ conversationId, staffId, channel: CASE_CHANNEL_OF[c.channel], ...columns(input) })
          .onConflictDoUpdate({ target: caseRecords.conversationId, set: { ...columns(input), updatedAt: new Date() } })
          .returning();
        const closed = await deps.conversations.transition(tx, conversationId, ['wrapup'], { state: 'closed', closedAt: new Date() });
        if (!closed) throw new AppError('invalid_state', 'The conversation was closed meanwhile');
        await deps.audit.record({ actorType: 'staff', actorId: staffId, action: 'case.create', targetType: 'case', targetId: row!.id, meta: { conversationId } }, tx);
        return row!;
      });
      const closed = await deps.conversations.get(conversationId);
      await deps.conversations.publish(closed);
      return { conversation: await deps.conversations.staffView(closed), caseRecord: toCaseRecord(record) };
    },

    /** A contact that did not come through chat (phone, e-mail, social media), logged by hand. */
    async logContact(staffId: string, channel: Exclude<Channel, 'chat'>, input: CaseRecordInput): Promise<CaseRecord> {
      const [row] = await db.insert(caseRecords).values({ conversationId: null, staffId, channel, ...columns(input) }).returning();
      await deps.audit.record({ actorType: 'staff', actorId: staffId, action: 'case.create', targetType: 'case', targetId: row!.id, meta: { channel } });
      return toCaseRecord(row!);
    },

    async forConversation(conversationId: string): Promise<CaseRecord | null> {
      const [row] = await db.select().from(caseRecords).where(eq(caseRecords.conversationId, conversationId));
      return row ? toCaseRecord(row) : null;
    },
  };
}
export type CaseService = ReturnType<typeof createCaseService>;
