import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { conversations } from '../conversations/tables.js';

export type VoiceCallState = 'waiting' | 'connecting' | 'talking' | 'ended';

/**
 * One phone call: the SIP proxy's Call-ID (its identity: a retransmitted INVITE is the same call), the
 * conversation it is, and its times. The caller's number is never stored: the contact is the keyed
 * hash of it (channels/crypto.ts), as for every channel.
 */
export const voiceCalls = pgTable(
  'voice_calls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    callId: text('call_id').notNull(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    state: text('state').$type<VoiceCallState>().notNull().default('waiting'),
    /** The caller's From tag: with the Call-ID, the call's name at the media server (rtpengine). */
    fromTag: text('from_tag'),
    /** The softphone's To tag once it answered: the counsellor's side of the call at the media server. */
    toTag: text('to_tag'),
    /** The number dialled (the centre's own line, not the caller's). */
    dialled: text('dialled'),
    staffId: uuid('staff_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    endedBy: text('ended_by').$type<'caller' | 'counsellor' | 'system'>(),
    heldMs: integer('held_ms').notNull().default(0),
    holdStartedAt: timestamp('hold_started_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('voice_calls_call_id_uq').on(t.callId), index('voice_calls_conversation_idx').on(t.conversationId)],
);
