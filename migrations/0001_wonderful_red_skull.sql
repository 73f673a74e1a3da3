CREATE TABLE "hotline_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"report_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"state" text NOT NULL,
	"receiver" text NOT NULL,
	"country_code" text,
	"receiver_ref" text,
	"sent_at" timestamp with time zone,
	"requested_by" uuid NOT NULL,
	"approved_by" uuid,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hotline_history" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "hotline_history_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"report_id" uuid NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"note" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hotline_reports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"pickup_hash" text,
	"source" text NOT NULL,
	"status" text DEFAULT 'new' NOT NULL,
	"content_type" text,
	"where_found" text,
	"description" text,
	"language" text,
	"reporter_email" text,
	"conversation_id" uuid,
	"created_by_staff_id" uuid,
	"forwarded_at" timestamp with time zone,
	"removed_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"feedback_sent_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hotline_urls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"report_id" uuid NOT NULL,
	"position" bigint NOT NULL,
	"url" text NOT NULL,
	"normalized_url" text NOT NULL,
	"host" text NOT NULL,
	"classification" text,
	"victim_age" text,
	"victim_gender" text,
	"site_type" text,
	"hosting_ip" text,
	"hosting_provider" text,
	"hosting_country" text,
	"assessed_by" uuid,
	"assessed_at" timestamp with time zone,
	"reused_from_url_id" uuid
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "transfer_note" text;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "transferred_by_staff_id" uuid;--> statement-breakpoint
ALTER TABLE "hotline_actions" ADD CONSTRAINT "hotline_actions_report_id_hotline_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."hotline_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_actions" ADD CONSTRAINT "hotline_actions_requested_by_staff_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_actions" ADD CONSTRAINT "hotline_actions_approved_by_staff_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_history" ADD CONSTRAINT "hotline_history_report_id_hotline_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."hotline_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_reports" ADD CONSTRAINT "hotline_reports_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_reports" ADD CONSTRAINT "hotline_reports_created_by_staff_id_staff_users_id_fk" FOREIGN KEY ("created_by_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_urls" ADD CONSTRAINT "hotline_urls_report_id_hotline_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."hotline_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_urls" ADD CONSTRAINT "hotline_urls_assessed_by_staff_users_id_fk" FOREIGN KEY ("assessed_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "hotline_actions_report_idx" ON "hotline_actions" USING btree ("report_id");--> statement-breakpoint
CREATE INDEX "hotline_actions_state_idx" ON "hotline_actions" USING btree ("state");--> statement-breakpoint
CREATE INDEX "hotline_history_report_idx" ON "hotline_history" USING btree ("report_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "hotline_reports_reference_uq" ON "hotline_reports" USING btree ("reference");--> statement-breakpoint
CREATE INDEX "hotline_reports_status_idx" ON "hotline_reports" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "hotline_reports_created_idx" ON "hotline_reports" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "hotline_urls_report_idx" ON "hotline_urls" USING btree ("report_id");--> statement-breakpoint
CREATE INDEX "hotline_urls_normalized_idx" ON "hotline_urls" USING btree ("normalized_url","assessed_at");--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_transferred_by_staff_id_staff_users_id_fk" FOREIGN KEY ("transferred_by_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;