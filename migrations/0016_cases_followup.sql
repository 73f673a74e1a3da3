CREATE TABLE "case_changes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"case_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"fields" text[] NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "case_records" ADD COLUMN "follow_up_on" date;--> statement-breakpoint
ALTER TABLE "case_records" ADD COLUMN "follow_up_done_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "case_changes" ADD CONSTRAINT "case_changes_case_id_case_records_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."case_records"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_changes" ADD CONSTRAINT "case_changes_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_changes_case_idx" ON "case_changes" USING btree ("case_id","at");--> statement-breakpoint
CREATE INDEX "case_records_follow_up_idx" ON "case_records" USING btree ("staff_id","follow_up_on") WHERE "case_records"."follow_up_on" is not null and "case_records"."follow_up_done_at" is null;