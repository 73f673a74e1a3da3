import { sql } from 'drizzle-orm';
import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { AgentStatus } from '@helpline/shared';
import { staffUsers } from '../auth/tables.js';
import { conversations } from '../conversations/tables.js';

/** A counsellor's routing state. `load` is the sum of the weights of live assignments (offered +
 * accepted), in hundredths of a slot, and moves in the same transaction as them, so the capacity check
 * (`load + weight <= capacity * 100`) is one locked row read. */
export const agentStates = pgTable('agent_states', {
  staffId: uuid('staff_id')
    .primaryKey()
    .references(() => staffUsers.id),
  status: text('status').$type<AgentStatus>().notNull().default('offline'),
  /** When the board's state last changed: the status, and also load leaving or reaching 0 (available <-> busy). */
  statusChangedAt: timestamp('status_changed_at', { withTimezone: true }).notNull().defaultNow(),
  load: integer('load').notNull().default(0),
  /** Longest idle gets the offer among equals: last time load went to a new offer or became free. */
  idleSince: timestamp('idle_since', { withTimezone: true }).notNull().defaultNow(),
  wrapupUntil: timestamp('wrapup_until', { withTimezone: true }),
  missedOffers: integer('missed_offers').notNull().default(0),
  /** Set when the last connection dropped (or the sweep noticed none); cleared on reconnect. */
  disconnectedAt: timestamp('disconnected_at', { withTimezone: true }),
  /**
   * The database's clock when this counsellor's latest connection was counted (written after its
   * socket joined the staff room). A disconnect mark or a release decided from a look at who is
   * online is written only if no connection came after that look began (presence.ts, sweep.ts).
   */
  connectedAt: timestamp('connected_at', { withTimezone: true }),
});

export type AssignmentStatus = 'offered' | 'accepted' | 'declined' | 'expired' | 'withdrawn' | 'ended';

/** Offers and assignments: one row per (conversation, counsellor) attempt. */
export const assignments = pgTable(
  'assignments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staffUsers.id),
    status: text('status').$type<AssignmentStatus>().notNull(),
    /**
     * What this assignment added to its counsellor's `load` (hundredths of a slot): the conversation's
     * weight, or for a phone call (exclusive) the counsellor's whole capacity. Every release subtracts
     * exactly this, whatever has changed since.
     */
    weight: integer('weight').notNull().default(100),
    offeredAt: timestamp('offered_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endReason: text('end_reason'),
    note: text('note'),
  },
  (t) => [
    // The database itself forbids a conversation offered to, or held by, two counsellors at once.
    uniqueIndex('assignments_one_live_uq')
      .on(t.conversationId)
      .where(sql`${t.status} in ('offered','accepted')`),
    index('assignments_staff_live_idx').on(t.staffId).where(sql`${t.status} in ('offered','accepted')`),
    index('assignments_expiry_idx').on(t.expiresAt).where(sql`${t.status} = 'offered'`),
    index('assignments_conv_staff_idx').on(t.conversationId, t.staffId),
  ],
);
