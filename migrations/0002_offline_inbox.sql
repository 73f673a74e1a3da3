ALTER TABLE "offline_messages" ADD COLUMN "claimed_by" uuid;--> statement-breakpoint
ALTER TABLE "offline_messages" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "offline_messages" ADD COLUMN "picked_up_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "offline_messages" ADD CONSTRAINT "offline_messages_claimed_by_staff_users_id_fk" FOREIGN KEY ("claimed_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;