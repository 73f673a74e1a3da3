ALTER TABLE "conversations" ADD COLUMN "weight" integer DEFAULT 100 NOT NULL;--> statement-breakpoint
ALTER TABLE "assignments" ADD COLUMN "weight" integer DEFAULT 100 NOT NULL;--> statement-breakpoint
-- Load counted live assignments (one each); it now counts hundredths of a slot, and every existing
-- conversation and assignment weighs a whole slot (the column default above), so the two agree.
UPDATE "agent_states" SET "load" = "load" * 100;