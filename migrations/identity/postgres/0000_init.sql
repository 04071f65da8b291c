CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"slot" text NOT NULL,
	"private_key_pkcs8" text NOT NULL,
	"public_x" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "signing_keys_slot_unique" UNIQUE("slot")
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" text PRIMARY KEY NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"password_hash" text NOT NULL,
	"created_at" bigint NOT NULL,
	CONSTRAINT "users_email_unique" UNIQUE("email")
);
