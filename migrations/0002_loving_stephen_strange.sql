CREATE TABLE "offline_messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"pickup_code_hash" text NOT NULL,
	"body" text NOT NULL,
	"language" text,
	"age_group" text,
	"topic" text,
	"status" text DEFAULT 'new' NOT NULL,
	"answer" text,
	"answered_by" uuid,
	"answered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "offline_messages_reference_unique" UNIQUE("reference")
);
--> statement-breakpoint
ALTER TABLE "offline_messages" ADD CONSTRAINT "offline_messages_answered_by_staff_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "offline_messages_status_idx" ON "offline_messages" USING btree ("status","created_at");