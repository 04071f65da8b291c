CREATE TABLE "carve_inbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"type" text NOT NULL,
	"version" integer NOT NULL,
	"aggregate_id" text NOT NULL,
	"payload" text NOT NULL,
	"occurred_at" bigint NOT NULL,
	"received_at" bigint NOT NULL,
	"status" text NOT NULL,
	"attempts" integer NOT NULL,
	"failures" text NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"handled_at" bigint,
	CONSTRAINT "carve_inbox_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "carve_outbox" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"type" text NOT NULL,
	"version" integer NOT NULL,
	"aggregate_id" text NOT NULL,
	"payload" text NOT NULL,
	"occurred_at" bigint NOT NULL,
	CONSTRAINT "carve_outbox_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "carve_outbox_delivery" (
	"event_id" text NOT NULL,
	"destination" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer NOT NULL,
	"failures" text NOT NULL,
	"next_attempt_at" bigint NOT NULL,
	"delivered_at" bigint,
	CONSTRAINT "carve_outbox_delivery_event_id_destination_pk" PRIMARY KEY("event_id","destination")
);
--> statement-breakpoint
CREATE INDEX "carve_inbox_status_idx" ON "carve_inbox" USING btree ("status","seq");--> statement-breakpoint
CREATE INDEX "carve_outbox_delivery_due_idx" ON "carve_outbox_delivery" USING btree ("status","next_attempt_at");