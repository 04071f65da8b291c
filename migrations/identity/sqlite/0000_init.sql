CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`slot` text NOT NULL,
	`private_key_pkcs8` text NOT NULL,
	`public_x` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `signing_keys_slot_unique` ON `signing_keys` (`slot`);--> statement-breakpoint
CREATE TABLE `users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`name` text NOT NULL,
	`role` text NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);