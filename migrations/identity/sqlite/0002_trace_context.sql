ALTER TABLE `carve_inbox` ADD `traceparent` text;--> statement-breakpoint
ALTER TABLE `carve_outbox` ADD `traceparent` text;