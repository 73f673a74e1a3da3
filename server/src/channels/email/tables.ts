// The e-mail adapter's own tables (owned by the channels feature): where each mailbox's receiving
// stands, and the mails of each conversation by their Message-ID (threading both ways).
import { bigint, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { EmailConnectionError } from '@helpline/shared';
import { conversations, messages } from '../../conversations/tables.js';
import { inboxes } from '../tables.js';

/** One row per e-mail inbox: the UIDVALIDITY of its INBOX and the highest UID taken, so no mail is taken twice or missed. */
export const emailMailboxes = pgTable('email_mailboxes', {
  inboxId: uuid('inbox_id')
    .primaryKey()
    .references(() => inboxes.id, { onDelete: 'cascade' }),
  uidValidity: bigint('uid_validity', { mode: 'number' }),
  lastUid: bigint('last_uid', { mode: 'number' }).notNull().default(0),
  lastError: text('last_error').$type<EmailConnectionError>(),
  lastErrorAt: timestamp('last_error_at', { withTimezone: true }),
  lastOkAt: timestamp('last_ok_at', { withTimezone: true }),
});

/** A hotline mailbox's mail taken as a report, by its external id: taken again, it is not a second report. */
export const emailReports = pgTable(
  'email_reports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    /** The hotline's report id (no foreign key: the hotline's retention removes its reports). */
    reportId: uuid('report_id'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('email_reports_inbox_external_uq').on(t.inboxId, t.externalId)],
);

/**
 * Each mail in or out of a conversation, by its Message-ID: a reply's In-Reply-To/References find the
 * conversation; a staff answer is threaded on the last mail in. The correspondent's address is kept
 * sealed, and goes with the message (retention, erasure: `on delete cascade`).
 */
export const emailMessages = pgTable(
  'email_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    rfcMessageId: text('rfc_message_id').notNull(),
    direction: text('direction').$type<'in' | 'out'>().notNull(),
    subject: text('subject'),
    /** The other side's address, sealed (channels/crypto.ts). */
    addressSealed: text('address_sealed').notNull(),
    /** The receiving server's Authentication-Results, as it said them. */
    authResults: text('auth_results'),
    /** Names of the files that came with it (never their content); images and videos dropped. */
    attachments: text('attachments').array().notNull().default([]),
    dropped: bigint('dropped', { mode: 'number' }).notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('email_messages_inbox_rfc_uq').on(t.inboxId, t.rfcMessageId),
    index('email_messages_conversation_idx').on(t.conversationId, t.createdAt),
    index('email_messages_message_idx').on(t.messageId),
  ],
);
