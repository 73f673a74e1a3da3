// The queue's columns of a conversation (priority, risk flag, help request, overflow, the child's
// connection), written for routing, which calls these instead of touching the table. Every write is
// guarded by the state it expects (compare-and-set), so a late or repeated call changes nothing.
import { and, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type { Language, Priority, Topic } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { execRows } from '../db/client.js';
import { conversations, PRIORITY_RANK } from './tables.js';

type ConversationRow = typeof conversations.$inferSelect;
const OPEN = ['waiting', 'offered', 'active'] as const;
const QUEUED = ['waiting', 'offered'] as const;

export function createQueueState(db: Db) {
  return {
    /** The conversation's state, or null when there is none. */
    async stateOf(conversationId: string): Promise<ConversationRow['state'] | null> {
      const [c] = await db.select({ state: conversations.state }).from(conversations).where(eq(conversations.id, conversationId));
      return c?.state ?? null;
    },

    /** Open conversations only. */
    async setPriority(conversationId: string, priority: Priority): Promise<ConversationRow | null> {
      const [c] = await db
        .update(conversations)
        .set({ priority, priorityRank: PRIORITY_RANK[priority] })
        .where(and(eq(conversations.id, conversationId), inArray(conversations.state, [...OPEN])))
        .returning();
      return c ?? null;
    },

    /** Flag once: raised to urgent. Null when it was flagged already. */
    async flagRisk(conversationId: string): Promise<ConversationRow | null> {
      const [c] = await db
        .update(conversations)
        .set({ riskFlaggedAt: new Date(), priority: 'urgent', priorityRank: PRIORITY_RANK.urgent })
        .where(and(eq(conversations.id, conversationId), sql`${conversations.riskFlaggedAt} is null`))
        .returning();
      return c ?? null;
    },

    /** The help request of the assigned counsellor, while the conversation is hers and live. */
    async requestHelp(conversationId: string, staffId: string): Promise<ConversationRow | null> {
      const [c] = await db
        .update(conversations)
        .set({ helpRequestedAt: new Date() })
        .where(and(eq(conversations.id, conversationId), eq(conversations.assignedStaffId, staffId), inArray(conversations.state, ['active', 'wrapup'])))
        .returning();
      return c ?? null;
    },

    /** Any counsellor may take it now (still waiting, not yet overflowed). */
    async overflow(conversationId: string): Promise<boolean> {
      const rows = await db
        .update(conversations)
        .set({ overflow: true })
        .where(and(eq(conversations.id, conversationId), eq(conversations.state, 'waiting'), eq(conversations.overflow, false)))
        .returning({ id: conversations.id });
      return rows.length > 0;
    },

    async overflowWaitingSince(before: Date): Promise<void> {
      await db
        .update(conversations)
        .set({ overflow: true })
        .where(and(eq(conversations.state, 'waiting'), eq(conversations.overflow, false), lt(conversations.enqueuedAt, before)));
    },

    /** Waiting conversations not yet overflowed, of a language and/or topic. */
    async waitingIn(group: { language?: Language; topic?: Topic }): Promise<string[]> {
      const conds = [eq(conversations.state, 'waiting'), eq(conversations.overflow, false)];
      if (group.language) conds.push(eq(conversations.language, group.language));
      if (group.topic) conds.push(eq(conversations.topic, group.topic));
      const rows = await db.select({ id: conversations.id }).from(conversations).where(and(...conds));
      return rows.map((r) => r.id);
    },

    async activeOf(staffId: string): Promise<string[]> {
      const rows = await db
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(eq(conversations.assignedStaffId, staffId), eq(conversations.state, 'active')));
      return rows.map((r) => r.id);
    },

    visitorConnected: async (visitorId: string): Promise<void> => {
      await db
        .update(conversations)
        .set({ visitorDisconnectedAt: null })
        .where(and(eq(conversations.visitorId, visitorId), inArray(conversations.state, [...OPEN])));
    },

    /** The child's waiting conversations just noticed disconnected (those already marked are left). */
    async visitorDisconnected(visitorIds: string[]): Promise<string[]> {
      if (!visitorIds.length) return [];
      const rows = await db
        .update(conversations)
        .set({ visitorDisconnectedAt: new Date() })
        .where(and(inArray(conversations.visitorId, visitorIds), inArray(conversations.state, [...QUEUED]), sql`${conversations.visitorDisconnectedAt} is null`))
        .returning({ id: conversations.id });
      return rows.map((r) => r.id);
    },

    async clearVisitorDisconnected(conversationId: string): Promise<void> {
      await db.update(conversations).set({ visitorDisconnectedAt: null }).where(eq(conversations.id, conversationId));
    },

    /**
     * Visitors of waiting web chats not marked disconnected (the sweep looks for their sockets). Only
     * web chat has a live connection: a contact of another channel waits with none.
     */
    async waitingVisitors(limit: number): Promise<string[]> {
      const rows = await db
        .select({ visitorId: conversations.visitorId })
        .from(conversations)
        .where(
          and(inArray(conversations.state, [...QUEUED]), sql`${conversations.visitorDisconnectedAt} is null`, isNotNull(conversations.visitorId), eq(conversations.channel, 'chat')),
        )
        .limit(limit);
      return rows.flatMap((r) => (r.visitorId ? [r.visitorId] : []));
    },

    /** Waiting conversations whose child has been gone since before `before`. */
    async visitorGoneSince(before: Date): Promise<string[]> {
      const rows = await db
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(inArray(conversations.state, [...QUEUED]), lt(conversations.visitorDisconnectedAt, before)));
      return rows.map((r) => r.id);
    },

    /** Every queued conversation with its place (priority, then original enqueue time). */
    async positions(): Promise<{ conversation: ConversationRow; position: number }[]> {
      const rows = await execRows<{ id: string; pos: number }>(
        db,
        sql`select id, row_number() over (order by priority_rank, enqueued_at)::int as pos
            from conversations where state in ('waiting','offered')`,
      );
      if (!rows.length) return [];
      const full = await db.select().from(conversations).where(inArray(conversations.id, rows.map((r) => r.id)));
      const byId = new Map(full.map((c) => [c.id, c]));
      return rows.flatMap((r) => {
        const c = byId.get(r.id);
        return c ? [{ conversation: c, position: r.pos }] : [];
      });
    },

    /** 1-based place of one queued conversation. */
    async positionOf(c: Pick<ConversationRow, 'priorityRank' | 'enqueuedAt'>): Promise<number> {
      const rows = await execRows<{ ahead: number }>(
        db,
        sql`select count(*)::int as ahead from conversations
            where state in ('waiting','offered') and (priority_rank, enqueued_at) < (${c.priorityRank}, ${c.enqueuedAt.toISOString()})`,
      );
      return (rows[0]?.ahead ?? 0) + 1;
    },

    /** Average handling time of the last 50 ended conversations, in seconds (null: none yet). */
    async recentAverageHandleSeconds(): Promise<number | null> {
      const [h] = await execRows<{ avg: number | null }>(
        db,
        sql`select avg(extract(epoch from (ended_at - accepted_at)))::float8 as avg from (
              select ended_at, accepted_at from conversations
              where ended_at is not null and accepted_at is not null
              order by ended_at desc limit 50) t`,
      );
      return h?.avg ?? null;
    },

    /** Conversations waiting or being offered, by the routing skills and channel (for /metrics). */
    async depthBySkill(): Promise<{ language: string | null; topic: string | null; channel: string; n: number }[]> {
      return execRows(db, sql`select language, topic, channel, count(*)::int as n from conversations where state in ('waiting','offered') group by language, topic, channel`);
    },
  };
}
export type QueueState = ReturnType<typeof createQueueState>;
