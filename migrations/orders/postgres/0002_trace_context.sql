ALTER TABLE "carve_inbox" ADD COLUMN "traceparent" text;--> statement-breakpoint
ALTER TABLE "carve_outbox" ADD COLUMN "traceparent" text;