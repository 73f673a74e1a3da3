import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import type { AlertSeverity, AlertState, AlertText, Language } from '@helpline/shared';
import { staffUsers } from '../auth/tables.js';

/**
 * Trend alerts. `state` is the stored workflow state; "expired" is derived from `expires_at`, so an
 * alert stops being public the moment it expires without a job having to move it.
 */
export const alerts = pgTable(
  'alerts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    state: text('state').$type<AlertState>().notNull().default('draft'),
    severity: text('severity').$type<AlertSeverity>().notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    texts: jsonb('texts').$type<Partial<Record<Language, AlertText>>>().notNull(),
    authorId: uuid('author_id')
      .notNull()
      .references(() => staffUsers.id),
    approvedBy: uuid('approved_by').references(() => staffUsers.id),
    withdrawnBy: uuid('withdrawn_by').references(() => staffUsers.id),
    /** Bumped on every change: part of the feeds' ETag together with the ids. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    withdrawnAt: timestamp('withdrawn_at', { withTimezone: true }),
  },
  (t) => [index('alerts_state_idx').on(t.state, t.expiresAt)],
);

/**
 * Browsers that asked for alerts by Web Push. What `PushSubscription` gives (the push service's
 * endpoint and the browser's keys) and a language; nothing that says who or where (no IP, no account,
 * no user agent). A row goes when its browser unsubscribes or its push service answers 404/410.
 */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    endpoint: text('endpoint').notNull(),
    /** The browser's P-256 public key (base64url), which each push is encrypted to (RFC 8291). */
    p256dh: text('p256dh').notNull(),
    /** The browser's 16-byte auth secret (base64url). */
    auth: text('auth').notNull(),
    language: text('language').$type<Language>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('push_subscriptions_endpoint_idx').on(t.endpoint)],
);
