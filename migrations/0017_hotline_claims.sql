ALTER TABLE "hotline_reports" ADD COLUMN "claimed_by" uuid;--> statement-breakpoint
ALTER TABLE "hotline_reports" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "hotline_reports" ADD CONSTRAINT "hotline_reports_claimed_by_staff_users_id_fk" FOREIGN KEY ("claimed_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;