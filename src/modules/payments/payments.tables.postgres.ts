import { bigint, index, integer, pgTable, text } from 'drizzle-orm/pg-core';

export const payments = pgTable(
  'payments',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id').notNull().unique(),
    userId: text('user_id').notNull(),
    // bigint, not integer: the contract allows any safe-integer amount, and an order
    // total can pass 2^31 cents where SQLite would take it and Postgres would not.
    amountCents: bigint('amount_cents', { mode: 'number' }).notNull(),
    currency: text('currency').notNull(),
    status: text('status').notNull(),
    processorRef: text('processor_ref'),
    failureReason: text('failure_reason'),
    // The processor's token, kept only while the outcome is unknown, so the charge can be asked again under its key.
    paymentToken: text('payment_token'),
    attempts: integer('attempts').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('payments_created_at_idx').on(t.createdAt)],
);

// The module's outbox and inbox (see src/shared/events): part of its own data and migrations.
export { carveInbox, carveOutbox, carveOutboxDelivery } from '../../shared/events/event-tables.postgres.js';
