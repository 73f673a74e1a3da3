import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { ConversationChannel, DeliveryFailureReason, DeliveryState } from '@helpline/shared';
import { conversations, messages } from '../conversations/tables.js';

/** Where contacts of one channel arrive: an API inbox, later an e-mail address, a Viber bot... */
export const inboxes = pgTable('inboxes', {
  id: uuid('id').primaryKey().defaultRandom(),
  channel: text('channel').$type<ConversationChannel>().notNull(),
  name: text('name').notNull(),
  enabled: boolean('enabled').notNull().default(true),
  /** What the adapter needs that is not secret (the API inbox's webhook URL). */
  config: jsonb('config').$type<Record<string, string>>().notNull().default({}),
  /** AES-256-GCM under a key derived from the server's secret (infra/secret.ts); never returned after creation. */
  secretSealed: text('secret_sealed').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Each message that came in by a channel, by the channel's own id: the same id again is the same message. */
export const inboundMessages = pgTable(
  'inbound_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    /** Null while the first receipt is being stored (or after it crashed half way: taken over later). */
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id').references(() => conversations.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('inbound_messages_inbox_external_uq').on(t.inboxId, t.externalId), index('inbound_messages_conversation_idx').on(t.conversationId)],
);

export type DeliveryKind = 'message.created' | 'conversation.ended';

/** The outbox: one row per staff message or conversation event to hand to a channel's adapter. */
export const deliveries = pgTable(
  'deliveries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    conversationId: uuid('conversation_id')
      .notNull()
      .references(() => conversations.id, { onDelete: 'cascade' }),
    messageId: uuid('message_id').references(() => messages.id, { onDelete: 'cascade' }),
    kind: text('kind').$type<DeliveryKind>().notNull(),
    /** `message:<id>` or `ended:<conversation id>`: what is delivered once. */
    dedupeKey: text('dedupe_key').notNull(),
    state: text('state').$type<DeliveryState>().notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** How many times an admin replayed it (each replay is a job of its own). */
    replays: integer('replays').notNull().default(0),
    externalId: text('external_id'),
    /** Failed for a reason the channel gave (outside Meta's 24-hour window...): the console translates it. */
    reason: text('reason').$type<DeliveryFailureReason>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('deliveries_dedupe_uq').on(t.dedupeKey),
    index('deliveries_queued_idx').on(t.updatedAt).where(sql`${t.state} = 'queued'`),
    index('deliveries_failed_idx').on(t.inboxId, t.updatedAt).where(sql`${t.state} = 'failed'`),
    // Retention and erasure delete conversations and messages: their deliveries go by these.
    index('deliveries_message_idx').on(t.messageId),
    index('deliveries_conversation_idx').on(t.conversationId),
    // Delivery and read receipts of the messaging apps name the app's own message id.
    index('deliveries_external_idx').on(t.inboxId, t.externalId),
  ],
);
