// The messaging apps' own rows (feature `channels`): where to answer a contact, and the webhook bodies
// acknowledged but not yet processed.
import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { Language } from '@helpline/shared';
import { visitors } from '../../conversations/tables.js';
import { inboxes } from '../tables.js';

/**
 * A contact of a messaging app: the app's own id of the person is needed to answer them, so it is kept
 * sealed (AES-256-GCM, like the inbox secrets), never shown, never used to find them (that is the keyed
 * hash on `visitors`), and deleted with the contact (retention, erasure).
 */
export const appContacts = pgTable('app_contacts', {
  visitorId: uuid('visitor_id')
    .primaryKey()
    .references(() => visitors.id, { onDelete: 'cascade' }),
  inboxId: uuid('inbox_id')
    .notNull()
    .references(() => inboxes.id, { onDelete: 'cascade' }),
  addressSealed: text('address_sealed').notNull(),
  /** The language the app told us (Viber, Telegram), for the notices sent in it. */
  language: text('language').$type<Language>(),
  /** The person's last message: Meta's 24-hour reply window counts from it. */
  lastInboundAt: timestamp('last_inbound_at', { withTimezone: true }).notNull(),
});

/**
 * A verified webhook body, stored before the app gets its 200 and processed by a job (then deleted):
 * what a person wrote never exists only in Redis. The sweep re-queues rows whose job was lost.
 */
export const appEvents = pgTable(
  'app_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    inboxId: uuid('inbox_id')
      .notNull()
      .references(() => inboxes.id, { onDelete: 'cascade' }),
    body: text('body').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('app_events_created_idx').on(t.createdAt)],
);
