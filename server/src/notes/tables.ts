// The notes feature's table: internal notes and supervisors' whispers on a conversation.
import { bigint, boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { staffUsers } from '../auth/tables.js';
import { conversations } from '../conversations/tables.js';

/** Internal notes: staff only, outside the visitor's gapless message sequence. */
export const conversationNotes = pgTable(
  'conversation_notes',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staffUsers.id),
    body: text('body').notNull(),
    /** A supervisor's note to the counsellor while watching (a whisper); shown as such after a reload. */
    whisper: boolean('whisper').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('conversation_notes_conv_idx').on(t.conversationId)],
);
