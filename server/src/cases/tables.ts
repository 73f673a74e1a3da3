import { sql } from 'drizzle-orm';
import { date, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { AgeGroup, Channel, ChiCategory, ContactType, Gender, InsafeCategory, Outcome, Platform, RiskLevel } from '@helpline/shared';
import { staffUsers } from '../auth/tables.js';
import { conversations } from '../conversations/tables.js';

export const caseRecords = pgTable(
  'case_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Null for contacts logged by hand (phone, e-mail, social media). */
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staffUsers.id),
    channel: text('channel').$type<Channel>().notNull(),
    contactType: text('contact_type').$type<ContactType>().notNull(),
    ageGroup: text('age_group').$type<AgeGroup>(),
    gender: text('gender').$type<Gender>(),
    categories: text('categories').array().$type<InsafeCategory[]>().notNull().default(sql`'{}'::text[]`),
    chiCategories: text('chi_categories').array().$type<ChiCategory[]>().notNull().default(sql`'{}'::text[]`),
    platform: text('platform').$type<Platform>(),
    riskLevel: text('risk_level').$type<RiskLevel>(),
    summary: text('summary').notNull(),
    /**
     * The summary folded for search (case, diacritics and Serbian script: "Петар" and "PETAR" are both
     * "petar"; shared/src/serbian.ts searchFold), kept by a trigger on every write, whoever writes
     * (migrations/0012_case_search_fold.sql), so a retention purge of the summary purges it too. Null
     * only for a database whose migration has not run yet. Never read by the code, only searched.
     */
    summaryFold: text('summary_fold'),
    outcome: text('outcome').$type<Outcome>(),
    /** The day the counsellor means to come back to this case (the centre's calendar day); null: none. */
    followUpOn: date('follow_up_on', { mode: 'string' }),
    /** When the follow-up was marked done; a new date set later opens it again. */
    followUpDoneAt: timestamp('follow_up_done_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('case_records_conversation_uq').on(t.conversationId),
    index('case_records_created_idx').on(t.createdAt),
    index('case_records_follow_up_idx').on(t.staffId, t.followUpOn).where(sql`${t.followUpOn} is not null and ${t.followUpDoneAt} is null`),
  ],
);

/**
 * The history of a case record: who changed which fields when (names of fields only, never what was
 * written: the summary holds what a child told). Deleted with its record.
 */
export const caseChanges = pgTable(
  'case_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    caseId: uuid('case_id')
      .notNull()
      .references(() => caseRecords.id, { onDelete: 'cascade' }),
    staffId: uuid('staff_id')
      .notNull()
      .references(() => staffUsers.id),
    fields: text('fields').array().notNull(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('case_changes_case_idx').on(t.caseId, t.at)],
);

/**
 * Case records counted per UTC day and dimension (channel, category, age group…), kept by a trigger on
 * case_records (migrations/0011_case_stats_daily.sql) in the same transaction as every insert, update
 * and delete, whoever writes. Statistics of whole days read these rows instead of the records: a year
 * is a few thousand rows, not a hundred thousand records (docs/performance.md). `key` '' is a field
 * left empty.
 */
export const caseStatsDaily = pgTable(
  'case_stats_daily',
  {
    day: date('day', { mode: 'string' }).notNull(),
    dim: text('dim').notNull(),
    key: text('key').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.dim, t.key] })],
);

/** Anonymous return codes: only a hash, linked to the visitor whose earlier cases it opens. */
export const returnCodes = pgTable(
  'return_codes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    codeHash: text('code_hash').notNull(),
    visitorId: uuid('visitor_id').notNull(),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    createdBy: uuid('created_by')
      .notNull()
      .references(() => staffUsers.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('return_codes_hash_uq').on(t.codeHash), index('return_codes_visitor_idx').on(t.visitorId)],
);
