import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  // Stored lowercased and trimmed; unique, so two sign-ups racing for one address get one row.
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  role: text('role').notNull(),
  passwordHash: text('password_hash').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const signingKeys = sqliteTable('signing_keys', {
  kid: text('kid').primaryKey(),
  // Unique: processes racing to create the first key all insert into slot 'current', and one wins.
  slot: text('slot').notNull().unique(),
  privateKeyPkcs8: text('private_key_pkcs8').notNull(),
  publicX: text('public_x').notNull(),
  createdAt: integer('created_at').notNull(),
});

// The module's outbox and inbox (see src/shared/events): part of its own data and migrations.
export { carveInbox, carveOutbox, carveOutboxDelivery } from '../../shared/events/event-tables.sqlite.js';
