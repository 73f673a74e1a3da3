CREATE TABLE "voice_calls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"call_id" text NOT NULL,
	"conversation_id" uuid NOT NULL,
	"state" text DEFAULT 'waiting' NOT NULL,
	"dialled" text,
	"staff_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"answered_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"ended_by" text,
	"held_ms" integer DEFAULT 0 NOT NULL,
	"hold_started_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "voice_calls" ADD CONSTRAINT "voice_calls_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "voice_calls_call_id_uq" ON "voice_calls" USING btree ("call_id");--> statement-breakpoint
CREATE INDEX "voice_calls_conversation_idx" ON "voice_calls" USING btree ("conversation_id");