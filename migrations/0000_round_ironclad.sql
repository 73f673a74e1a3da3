CREATE TABLE "staff_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"staff_id" uuid NOT NULL,
	"csrf_token" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "staff_users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text NOT NULL,
	"languages" text[] DEFAULT '{}'::text[] NOT NULL,
	"topics" text[] DEFAULT '{}'::text[] NOT NULL,
	"capacity" integer DEFAULT 2 NOT NULL,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_users_email_unique" UNIQUE("email")
);
--> statement-breakpoint
CREATE TABLE "conversation_notes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "conversation_notes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"conversation_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"visitor_id" uuid,
	"channel" text DEFAULT 'chat' NOT NULL,
	"state" text NOT NULL,
	"priority" text DEFAULT 'normal' NOT NULL,
	"priority_rank" integer DEFAULT 2 NOT NULL,
	"language" text,
	"topic" text,
	"age_group" text,
	"enqueued_at" timestamp with time zone DEFAULT now() NOT NULL,
	"overflow" boolean DEFAULT false NOT NULL,
	"assigned_staff_id" uuid,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"visitor_read_seq" integer DEFAULT 0 NOT NULL,
	"staff_read_seq" integer DEFAULT 0 NOT NULL,
	"risk_flagged_at" timestamp with time zone,
	"help_requested_at" timestamp with time zone,
	"transfer_note" text,
	"transferred_by_staff_id" uuid,
	"visitor_disconnected_at" timestamp with time zone,
	"first_accepted_at" timestamp with time zone,
	"accepted_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"ended_by" text,
	"closed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conversation_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"client_msg_id" text NOT NULL,
	"sender" text NOT NULL,
	"sender_staff_id" uuid,
	"body" text NOT NULL,
	"system_event" text,
	"system_params" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "visitors" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"token_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "visitors_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "agent_states" (
	"staff_id" uuid PRIMARY KEY NOT NULL,
	"status" text DEFAULT 'offline' NOT NULL,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"load" integer DEFAULT 0 NOT NULL,
	"idle_since" timestamp with time zone DEFAULT now() NOT NULL,
	"wrapup_until" timestamp with time zone,
	"missed_offers" integer DEFAULT 0 NOT NULL,
	"disconnected_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "assignments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conversation_id" uuid NOT NULL,
	"staff_id" uuid NOT NULL,
	"status" text NOT NULL,
	"offered_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone,
	"responded_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	"note" text
);
--> statement-breakpoint
CREATE TABLE "case_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"conversation_id" uuid,
	"staff_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"contact_type" text NOT NULL,
	"age_group" text,
	"gender" text,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"chi_categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"platform" text,
	"risk_level" text,
	"summary" text NOT NULL,
	"outcome" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "return_codes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"code_hash" text NOT NULL,
	"visitor_id" uuid NOT NULL,
	"conversation_id" uuid,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "audit_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" uuid,
	"action" text NOT NULL,
	"target_type" text NOT NULL,
	"target_id" text,
	"meta" jsonb
);
--> statement-breakpoint
CREATE TABLE "settings" (
	"key" text PRIMARY KEY NOT NULL,
	"value" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
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
CREATE TABLE "canned_responses" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"language" text NOT NULL,
	"shortcut" text NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "institutions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"contact" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "referrals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"institution_id" uuid NOT NULL,
	"conversation_id" uuid,
	"case_id" uuid,
	"note" text,
	"status" text NOT NULL,
	"requested_by" uuid NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_note" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "staff_sessions" ADD CONSTRAINT "staff_sessions_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_notes" ADD CONSTRAINT "conversation_notes_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_notes" ADD CONSTRAINT "conversation_notes_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_visitor_id_visitors_id_fk" FOREIGN KEY ("visitor_id") REFERENCES "public"."visitors"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_assigned_staff_id_staff_users_id_fk" FOREIGN KEY ("assigned_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_transferred_by_staff_id_staff_users_id_fk" FOREIGN KEY ("transferred_by_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_sender_staff_id_staff_users_id_fk" FOREIGN KEY ("sender_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agent_states" ADD CONSTRAINT "agent_states_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_records" ADD CONSTRAINT "case_records_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_records" ADD CONSTRAINT "case_records_staff_id_staff_users_id_fk" FOREIGN KEY ("staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_codes" ADD CONSTRAINT "return_codes_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "return_codes" ADD CONSTRAINT "return_codes_created_by_staff_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_actions" ADD CONSTRAINT "hotline_actions_report_id_hotline_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."hotline_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_actions" ADD CONSTRAINT "hotline_actions_requested_by_staff_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_actions" ADD CONSTRAINT "hotline_actions_approved_by_staff_users_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_history" ADD CONSTRAINT "hotline_history_report_id_hotline_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."hotline_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_reports" ADD CONSTRAINT "hotline_reports_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_reports" ADD CONSTRAINT "hotline_reports_created_by_staff_id_staff_users_id_fk" FOREIGN KEY ("created_by_staff_id") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_urls" ADD CONSTRAINT "hotline_urls_report_id_hotline_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."hotline_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "hotline_urls" ADD CONSTRAINT "hotline_urls_assessed_by_staff_users_id_fk" FOREIGN KEY ("assessed_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "offline_messages" ADD CONSTRAINT "offline_messages_answered_by_staff_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_institution_id_institutions_id_fk" FOREIGN KEY ("institution_id") REFERENCES "public"."institutions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_case_id_case_records_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."case_records"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_requested_by_staff_users_id_fk" FOREIGN KEY ("requested_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "referrals" ADD CONSTRAINT "referrals_decided_by_staff_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."staff_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "staff_sessions_staff_idx" ON "staff_sessions" USING btree ("staff_id");--> statement-breakpoint
CREATE INDEX "conversation_notes_conv_idx" ON "conversation_notes" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "conversations_queue_idx" ON "conversations" USING btree ("priority_rank","enqueued_at") WHERE "conversations"."state" = 'waiting';--> statement-breakpoint
CREATE INDEX "conversations_visitor_idx" ON "conversations" USING btree ("visitor_id");--> statement-breakpoint
CREATE INDEX "conversations_assigned_idx" ON "conversations" USING btree ("assigned_staff_id") WHERE "conversations"."state" in ('active','wrapup');--> statement-breakpoint
CREATE INDEX "conversations_state_idx" ON "conversations" USING btree ("state");--> statement-breakpoint
CREATE INDEX "conversations_first_accepted_idx" ON "conversations" USING btree ("first_accepted_at");--> statement-breakpoint
CREATE INDEX "conversations_ended_idx" ON "conversations" USING btree ("ended_at");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_conversation_seq_uq" ON "messages" USING btree ("conversation_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_conversation_client_uq" ON "messages" USING btree ("conversation_id","client_msg_id");--> statement-breakpoint
CREATE UNIQUE INDEX "assignments_one_live_uq" ON "assignments" USING btree ("conversation_id") WHERE "assignments"."status" in ('offered','accepted');--> statement-breakpoint
CREATE INDEX "assignments_staff_live_idx" ON "assignments" USING btree ("staff_id") WHERE "assignments"."status" in ('offered','accepted');--> statement-breakpoint
CREATE INDEX "assignments_expiry_idx" ON "assignments" USING btree ("expires_at") WHERE "assignments"."status" = 'offered';--> statement-breakpoint
CREATE INDEX "assignments_conv_staff_idx" ON "assignments" USING btree ("conversation_id","staff_id");--> statement-breakpoint
CREATE UNIQUE INDEX "case_records_conversation_uq" ON "case_records" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "case_records_created_idx" ON "case_records" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "return_codes_hash_uq" ON "return_codes" USING btree ("code_hash");--> statement-breakpoint
CREATE INDEX "return_codes_visitor_idx" ON "return_codes" USING btree ("visitor_id");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_events_target_idx" ON "audit_events" USING btree ("target_type","target_id");--> statement-breakpoint
CREATE INDEX "hotline_actions_report_idx" ON "hotline_actions" USING btree ("report_id");--> statement-breakpoint
CREATE INDEX "hotline_actions_state_idx" ON "hotline_actions" USING btree ("state");--> statement-breakpoint
CREATE INDEX "hotline_history_report_idx" ON "hotline_history" USING btree ("report_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "hotline_reports_reference_uq" ON "hotline_reports" USING btree ("reference");--> statement-breakpoint
CREATE INDEX "hotline_reports_status_idx" ON "hotline_reports" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "hotline_reports_created_idx" ON "hotline_reports" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "hotline_urls_report_idx" ON "hotline_urls" USING btree ("report_id");--> statement-breakpoint
CREATE INDEX "hotline_urls_normalized_idx" ON "hotline_urls" USING btree ("normalized_url","assessed_at");--> statement-breakpoint
CREATE INDEX "offline_messages_status_idx" ON "offline_messages" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "canned_responses_language_idx" ON "canned_responses" USING btree ("language");--> statement-breakpoint
CREATE INDEX "referrals_conversation_idx" ON "referrals" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "referrals_case_idx" ON "referrals" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "referrals_status_idx" ON "referrals" USING btree ("status");