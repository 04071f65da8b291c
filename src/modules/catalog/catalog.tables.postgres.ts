import { bigint, index, integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

export const products = pgTable('products', {
  id: text('id').primaryKey(),
  sku: text('sku').notNull().unique(),
  name: text('name').notNull(),
  priceCents: integer('price_cents').notNull(),
  available: integer('available').notNull(),
  reserved: integer('reserved').notNull(),
  sold: integer('sold').notNull(),
  createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
});

export const reservations = pgTable(
  'reservations',
  {
    id: text('id').primaryKey(),
    status: text('status').notNull(),
    totalCents: bigint('total_cents', { mode: 'number' }).notNull(),
    expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('reservations_status_expires_idx').on(t.status, t.expiresAt)],
);

export const reservationItems = pgTable(
  'reservation_items',
  {
    reservationId: text('reservation_id').notNull(),
    productId: text('product_id').notNull(),
    quantity: integer('quantity').notNull(),
    unitPriceCents: integer('unit_price_cents').notNull(),
  },
  (t) => [primaryKey({ columns: [t.reservationId, t.productId] })],
);

// The module's outbox and inbox (see src/shared/events): part of its own data and migrations.
export { carveInbox, carveOutbox, carveOutboxDelivery } from '../../shared/events/event-tables.postgres.js';
