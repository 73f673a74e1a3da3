import { bigint, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type {
  HotlineActionKind,
  HotlineActionState,
  HotlineClassification,
  HotlineContentType,
  HotlineSiteType,
  HotlineSource,
  HotlineStatus,
  HotlineVictimAge,
  HotlineVictimGender,
} from '@helpline/shared';
import { staffUsers } from '../auth/tables.js';

/** Where the feedback of a report taken from a hotline mailbox goes back (service.ts `MailboxReplies`). */
export interface MailboxRoute {
  inboxId: string;
  inReplyTo: string | null;
  subject: string | null;
}
import { conversations } from '../conversations/tables.js';

/** A citizen's report. Contact e-mail is optional; the pick-up code is stored only as its SHA-256. */
export const hotlineReports = pgTable(
  'hotline_reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reference: text('reference').notNull(),
    pickupHash: text('pickup_hash'),
    source: text('source').$type<HotlineSource>().notNull(),
    status: text('status').$type<HotlineStatus>().notNull().default('new'),
    contentType: text('content_type').$type<HotlineContentType>(),
    whereFound: text('where_found'),
    description: text('description'),
    language: text('language'),
    reporterEmail: text('reporter_email'),
    /**
     * For a report that came by a hotline mailbox: the way back to the reporter (the mailbox, her
     * mail's Message-ID and subject), opaque to the hotline and given back to the mailbox's reply
     * hook. Erased with the address (at close, by retention).
     */
    replyRoute: jsonb('reply_route').$type<MailboxRoute>(),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'set null' }),
    createdByStaffId: uuid('created_by_staff_id').references(() => staffUsers.id),
    forwardedAt: timestamp('forwarded_at', { withTimezone: true }),
    removedAt: timestamp('removed_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    feedbackSentAt: timestamp('feedback_sent_at', { withTimezone: true }),
    /** The analyst who holds the report (claims.ts); the claim lapses HOTLINE_CLAIM_MINUTES after their last step. */
    claimedBy: uuid('claimed_by').references(() => staffUsers.id),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('hotline_reports_reference_uq').on(t.reference),
    index('hotline_reports_status_idx').on(t.status, t.createdAt),
    index('hotline_reports_created_idx').on(t.createdAt),
  ],
);

/** One reported URL with its assessment (ICCAM assesses URL by URL). */
export const hotlineUrls = pgTable(
  'hotline_urls',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => hotlineReports.id, { onDelete: 'cascade' }),
    position: bigint('position', { mode: 'number' }).notNull(),
    url: text('url').notNull(),
    /** De-duplication key (see normalize.ts). */
    normalizedUrl: text('normalized_url').notNull(),
    host: text('host').notNull(),
    classification: text('classification').$type<HotlineClassification>(),
    victimAge: text('victim_age').$type<HotlineVictimAge>(),
    victimGender: text('victim_gender').$type<HotlineVictimGender>(),
    siteType: text('site_type').$type<HotlineSiteType>(),
    hostingIp: text('hosting_ip'),
    hostingProvider: text('hosting_provider'),
    hostingCountry: text('hosting_country'),
    assessedBy: uuid('assessed_by').references(() => staffUsers.id),
    assessedAt: timestamp('assessed_at', { withTimezone: true }),
    /** The URL row whose assessment was taken over (same normalised URL, earlier report). */
    reusedFromUrlId: uuid('reused_from_url_id'),
  },
  (t) => [index('hotline_urls_report_idx').on(t.reportId), index('hotline_urls_normalized_idx').on(t.normalizedUrl, t.assessedAt)],
);

/** Forwarding to police / INHOPE member hotline / notice to the hosting provider. */
export const hotlineActions = pgTable(
  'hotline_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => hotlineReports.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<HotlineActionKind>().notNull(),
    state: text('state').$type<HotlineActionState>().notNull(),
    receiver: text('receiver').notNull(),
    countryCode: text('country_code'),
    receiverRef: text('receiver_ref'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    requestedBy: uuid('requested_by')
      .notNull()
      .references(() => staffUsers.id),
    approvedBy: uuid('approved_by').references(() => staffUsers.id),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('hotline_actions_report_idx').on(t.reportId), index('hotline_actions_state_idx').on(t.state)],
);

/** Every status change of a report, in order. */
export const hotlineHistory = pgTable(
  'hotline_history',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    reportId: uuid('report_id')
      .notNull()
      .references(() => hotlineReports.id, { onDelete: 'cascade' }),
    fromStatus: text('from_status').$type<HotlineStatus>(),
    toStatus: text('to_status').$type<HotlineStatus>().notNull(),
    actorType: text('actor_type').$type<'staff' | 'visitor' | 'system'>().notNull(),
    actorId: uuid('actor_id'),
    /** A code, never free text from a reporter. */
    note: text('note'),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('hotline_history_report_idx').on(t.reportId, t.id)],
);
