import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const payments = sqliteTable(
  'payments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull().unique(),
    userId: text('user_id').notNull(),
    amountCents: integer('amount_cents').notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    processorRef: text('processor_ref'),
    failureReason: text('failure_reason'),
    // The processor's token, kept only while the outcome is unknown, so the charge can be asked again under its key.
    paymentToken: text('payment_token'),
    attempts: integer('attempts').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('payments_created_at_idx').on(t.createdAt)],
);

// The module's outbox and inbox (see src/shared/events): part of its own data and migrations.
export { carveInbox, carveOutbox, carveOutboxDelivery } from '../../shared/events/event-tables.sqlite.js';
