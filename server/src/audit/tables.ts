import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Who did or read what, when. Never message text or personal data in `meta`. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorType: text('actor_type').$type<'staff' | 'visitor' | 'system'>().notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    meta: jsonb('meta').$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [
    index('audit_events_at_idx').on(t.at),
    index('audit_events_target_idx').on(t.targetType, t.targetId),
    // Audit searches by who did it, and by what was done in a period, newest first.
    index('audit_events_actor_idx').on(t.actorId, t.id),
    index('audit_events_action_idx').on(t.action, t.at),
  ],
);
