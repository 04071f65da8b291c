import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';

export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').notNull(),
    kind: text('kind').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    // Unique, so a retried notify with the same key cannot write a second row.
    dedupeKey: text('dedupe_key').notNull().unique(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('notifications_user_created_idx').on(t.userId, t.createdAt)],
);
