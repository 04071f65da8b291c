import { bigint, bigserial, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

// Every module database holds these three tables, re-exported by the module's own table
// file so its migrations create them: the outbox of what it published, one delivery row
// per subscriber, and the inbox of what it received. Keep equal to event-tables.sqlite.ts.

export const carveOutbox = pgTable('carve_outbox', {
  seq: bigserial('seq', { mode: 'number' }).primaryKey(),
  id: text('id').notNull().unique(),
  type: text('type').notNull(),
  version: integer('version').notNull(),
  aggregateId: text('aggregate_id').notNull(),
  payload: text('payload').notNull(),
  occurredAt: bigint('occurred_at', { mode: 'number' }).notNull(),
  // The W3C traceparent of the request that published it, so handling continues its trace.
  traceparent: text('traceparent'),
});

export const carveOutboxDelivery = pgTable(
  'carve_outbox_delivery',
  {
    eventId: text('event_id').notNull(),
    destination: text('destination').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    failures: text('failures').notNull(),
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull(),
    deliveredAt: bigint('delivered_at', { mode: 'number' }),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.destination] }), index('carve_outbox_delivery_due_idx').on(t.status, t.nextAttemptAt)],
);

export const carveInbox = pgTable(
  'carve_inbox',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    eventId: text('event_id').notNull().unique(),
    type: text('type').notNull(),
    version: integer('version').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    payload: text('payload').notNull(),
    occurredAt: bigint('occurred_at', { mode: 'number' }).notNull(),
    receivedAt: bigint('received_at', { mode: 'number' }).notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    failures: text('failures').notNull(),
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull(),
    handledAt: bigint('handled_at', { mode: 'number' }),
    traceparent: text('traceparent'),
  },
  (t) => [index('carve_inbox_status_idx').on(t.status, t.seq)],
);
