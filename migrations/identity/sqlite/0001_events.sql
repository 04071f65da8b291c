CREATE TABLE `carve_inbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL,
	`type` text NOT NULL,
	`version` integer NOT NULL,
	`aggregate_id` text NOT NULL,
	`payload` text NOT NULL,
	`occurred_at` integer NOT NULL,
	`received_at` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`failures` text NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`handled_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `carve_inbox_event_id_unique` ON `carve_inbox` (`event_id`);--> statement-breakpoint
CREATE INDEX `carve_inbox_status_idx` ON `carve_inbox` (`status`,`seq`);--> statement-breakpoint
CREATE TABLE `carve_outbox` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`type` text NOT NULL,
	`version` integer NOT NULL,
	`aggregate_id` text NOT NULL,
	`payload` text NOT NULL,
	`occurred_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `carve_outbox_id_unique` ON `carve_outbox` (`id`);--> statement-breakpoint
CREATE TABLE `carve_outbox_delivery` (
	`event_id` text NOT NULL,
	`destination` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`failures` text NOT NULL,
	`next_attempt_at` integer NOT NULL,
	`delivered_at` integer,
	PRIMARY KEY(`event_id`, `destination`)
);
--> statement-breakpoint
CREATE INDEX `carve_outbox_delivery_due_idx` ON `carve_outbox_delivery` (`status`,`next_attempt_at`);