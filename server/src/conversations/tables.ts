import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { AgeGroup, ConversationChannel, ConversationState, Language, MessageSender, Priority, SystemEvent, Topic } from '@helpline/shared';
import { staffUsers } from '../auth/tables.js';

/**
 * A contact. The widget's anonymous visitor is nothing but the hash of an unguessable token; a contact
 * of another channel (docs/channels.md) is its inbox and a keyed hash of the channel's own user id
 * (no name, number or picture), unique per inbox.
 */
export const visitors = pgTable(
  'visitors',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    tokenHash: text('token_hash').unique(),
    channel: text('channel').$type<ConversationChannel>().notNull().default('chat'),
    /** The inbox (channels feature) the contact writes to; null for the widget's visitors. */
    inboxId: uuid('inbox_id'),
    externalHash: text('external_hash'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('visitors_inbox_external_uq').on(t.inboxId, t.externalHash)],
);

export const PRIORITY_RANK: Record<Priority, number> = { urgent: 0, high: 1, normal: 2 };

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    visitorId: uuid('visitor_id').references(() => visitors.id),
    channel: text('channel').$type<ConversationChannel>().notNull().default('chat'),
    /**
     * Its weight on a counsellor's capacity, in hundredths of a slot: its channel's weight (setting
     * `channelWeights`) when it entered the queue, kept for its life, so a later change of the setting
     * does not move the load of conversations already held (docs/channels.md).
     */
    weight: integer('weight').notNull().default(100),
    state: text('state').$type<ConversationState>().notNull(),
    priority: text('priority').$type<Priority>().notNull().default('normal'),
    /** 0 urgent, 1 high, 2 normal: the queue orders by (priority_rank, enqueued_at). */
    priorityRank: integer('priority_rank').notNull().default(2),
    language: text('language').$type<Language>(),
    topic: text('topic').$type<Topic>(),
    ageGroup: text('age_group').$type<AgeGroup>(),
    /** Original time of entering the queue; kept when a conversation goes back to the queue. */
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true }).notNull().defaultNow(),
    /** When set, skills no longer restrict who may be offered it. */
    overflow: boolean('overflow').notNull().default(false),
    assignedStaffId: uuid('assigned_staff_id').references(() => staffUsers.id),
    lastSeq: integer('last_seq').notNull().default(0),
    visitorReadSeq: integer('visitor_read_seq').notNull().default(0),
    staffReadSeq: integer('staff_read_seq').notNull().default(0),
    riskFlaggedAt: timestamp('risk_flagged_at', { withTimezone: true }),
    helpRequestedAt: timestamp('help_requested_at', { withTimezone: true }),
    /** The note of the last transfer: it travels with the conversation to the next counsellor. */
    transferNote: text('transfer_note'),
    transferredByStaffId: uuid('transferred_by_staff_id').references(() => staffUsers.id),
    /**
     * "Queue for <name>": while reserved_until is in the future, the dispatch offers it to this
     * counsellor only; after it, to anyone (docs/architecture.md). Cleared when it is offered.
     */
    reservedForStaffId: uuid('reserved_for_staff_id').references(() => staffUsers.id),
    reservedUntil: timestamp('reserved_until', { withTimezone: true }),
    visitorDisconnectedAt: timestamp('visitor_disconnected_at', { withTimezone: true }),
    /** First time a counsellor accepted it: ASA and abandonment figures come from here. */
    firstAcceptedAt: timestamp('first_accepted_at', { withTimezone: true }),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endedBy: text('ended_by').$type<'visitor' | 'counsellor' | 'system'>(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    /** When retention blanked its transcript (its words, notes and visitor link): the purge's own mark. */
    transcriptPurgedAt: timestamp('transcript_purged_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('conversations_queue_idx').on(t.priorityRank, t.enqueuedAt).where(sql`${t.state} = 'waiting'`),
    index('conversations_visitor_idx').on(t.visitorId),
    index('conversations_assigned_idx').on(t.assignedStaffId).where(sql`${t.state} in ('active','wrapup')`),
    index('conversations_state_idx').on(t.state),
    // Today's answered/abandoned figures and the wait estimate read by these times.
    index('conversations_first_accepted_idx').on(t.firstAcceptedAt),
    index('conversations_ended_idx').on(t.endedAt),
    // Statistics of a period read conversations by the time they entered the queue. In the database it
    // also INCLUDEs channel, state, first_accepted_at, accepted_at and ended_at (migrations/0010), so
    // those reads never touch the table; drizzle-kit has no syntax for INCLUDE.
    index('conversations_enqueued_idx').on(t.enqueuedAt),
    // Transcripts due for the retention purge: only those not purged yet, by the time they ended.
    index('conversations_retention_due_idx')
      .on(sql`coalesce(${t.closedAt}, ${t.endedAt}, ${t.createdAt})`)
      .where(sql`${t.transcriptPurgedAt} is null and ${t.state} in ('closed','abandoned')`),
  ],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    clientMsgId: text('client_msg_id').notNull(),
    sender: text('sender').$type<MessageSender>().notNull(),
    senderStaffId: uuid('sender_staff_id').references(() => staffUsers.id),
    body: text('body').notNull(),
    systemEvent: text('system_event').$type<SystemEvent>(),
    systemParams: text('system_params'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('messages_conversation_seq_uq').on(t.conversationId, t.seq),
    uniqueIndex('messages_conversation_client_uq').on(t.conversationId, t.clientMsgId),
  ],
);

