import { boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { InstitutionKind, ReferralStatus } from '@helpline/shared';
import { staffUsers } from '../auth/tables.js';
import { conversations } from '../conversations/tables.js';
import { caseRecords } from '../cases/tables.js';

/** Institutions cases are referred to; admins manage the list (deactivated, never deleted: referrals keep them). */
export const institutions = pgTable('institutions', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  kind: text('kind').$type<InstitutionKind>().notNull(),
  contact: text('contact'),
  active: boolean('active').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const referrals = pgTable(
  'referrals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    institutionId: uuid('institution_id')
      .notNull()
      .references(() => institutions.id),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    caseId: uuid('case_id').references(() => caseRecords.id, { onDelete: 'set null' }),
    note: text('note'),
    status: text('status').$type<ReferralStatus>().notNull(),
    requestedBy: uuid('requested_by')
      .notNull()
      .references(() => staffUsers.id),
    decidedBy: uuid('decided_by').references(() => staffUsers.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decisionNote: text('decision_note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('referrals_conversation_idx').on(t.conversationId), index('referrals_case_idx').on(t.caseId), index('referrals_status_idx').on(t.status)],
);
