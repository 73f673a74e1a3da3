ALTER TABLE "conversations" ADD COLUMN "transcript_purged_at" timestamp with time zone;--> statement-breakpoint
-- Covering (INCLUDE, written here: drizzle-kit has no syntax for it): statistics of a period read
-- these columns from the index alone, never the table (docs/performance.md).
CREATE INDEX "conversations_enqueued_idx" ON "conversations" USING btree ("enqueued_at") INCLUDE ("channel", "state", "first_accepted_at", "accepted_at", "ended_at");--> statement-breakpoint
CREATE INDEX "conversations_retention_due_idx" ON "conversations" USING btree (coalesce("closed_at", "ended_at", "created_at")) WHERE "conversations"."transcript_purged_at" is null and "conversations"."state" in ('closed','abandoned');--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "audit_events" USING btree ("actor_id","id");--> statement-breakpoint
CREATE INDEX "audit_events_action_idx" ON "audit_events" USING btree ("action","at");--> statement-breakpoint
-- Transcripts purged before this column existed: they lost their visitor link and every word in one
-- transaction, so that is how they are recognised; the purge no longer looks at them again.
UPDATE "conversations" SET "transcript_purged_at" = coalesce("closed_at", "ended_at", "created_at")
WHERE "visitor_id" IS NULL AND "state" IN ('closed', 'abandoned') AND "transcript_purged_at" IS NULL
  AND NOT EXISTS (SELECT 1 FROM "messages" m WHERE m."conversation_id" = "conversations"."id" AND m."body" <> '');
