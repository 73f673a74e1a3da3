import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { AgeGroup, Language, OfflineMessageState, Topic } from '@helpline/shared';
import { staffUsers } from '../auth/tables.js';

/**
 * Messages left through the widget when nobody could chat. Anonymous: the child comes back with the
 * public reference and a pick-up code, of which only a slow hash is kept. Retention blanks `body` and
 * `answer`; the states and times stay for the statistics.
 */
export const offlineMessages = pgTable(
  'offline_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reference: text('reference').notNull().unique(),
    pickupCodeHash: text('pickup_code_hash').notNull(),
    body: text('body').notNull(),
    language: text('language').$type<Language>(),
    ageGroup: text('age_group').$type<AgeGroup>(),
    topic: text('topic').$type<Topic>(),
    status: text('status').$type<OfflineMessageState>().notNull().default('new'),
    /** Who is answering: a claim lapses OFFLINE_CLAIM_MS after claimed_at (read lazily, see service). */
    claimedBy: uuid('claimed_by').references(() => staffUsers.id),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    answer: text('answer'),
    answeredBy: uuid('answered_by').references(() => staffUsers.id),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    /** The child first read the answer with the code. */
    pickedUpAt: timestamp('picked_up_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('offline_messages_status_idx').on(t.status, t.createdAt)],
);
