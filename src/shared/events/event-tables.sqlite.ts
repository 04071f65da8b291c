import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

// Every module database holds these three tables, re-exported by the module's own table
// file so its migrations create them: the outbox of what it published, one delivery row
// per subscriber, and the inbox of what it received. Keep equal to event-tables.postgres.ts.

export const carveOutbox = sqliteTable('carve_outbox', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  id: text('id').notNull().unique(),
  type: text('type').notNull(),
  version: integer('version').notNull(),
  aggregateId: text('aggregate_id').notNull(),
  payload: text('payload').notNull(),
  occurredAt: integer('occurred_at').notNull(),
  // The W3C traceparent of the request that published it, so handling continues its trace.
  traceparent: text('traceparent'),
});

export const carveOutboxDelivery = sqliteTable(
  'carve_outbox_delivery',
  {
    eventId: text('event_id').notNull(),
    destination: text('destination').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    failures: text('failures').notNull(),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.destination] }), index('carve_outbox_delivery_due_idx').on(t.status, t.nextAttemptAt)],
);

export const carveInbox = sqliteTable(
  'carve_inbox',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    eventId: text('event_id').notNull().unique(),
    type: text('type').notNull(),
    version: integer('version').notNull(),
    aggregateId: text('aggregate_id').notNull(),
    payload: text('payload').notNull(),
    occurredAt: integer('occurred_at').notNull(),
    receivedAt: integer('received_at').notNull(),
    status: text('status').notNull(),
    attempts: integer('attempts').notNull(),
    failures: text('failures').notNull(),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    handledAt: integer('handled_at'),
    traceparent: text('traceparent'),
  },
  (t) => [index('carve_inbox_status_idx').on(t.status, t.seq)],
);
