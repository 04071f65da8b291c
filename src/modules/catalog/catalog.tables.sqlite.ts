import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const products = sqliteTable('products', {
  id: text('id').primaryKey(),
  sku: text('sku').notNull().unique(),
  name: text('name').notNull(),
  priceCents: integer('price_cents').notNull(),
  available: integer('available').notNull(),
  reserved: integer('reserved').notNull(),
  sold: integer('sold').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const reservations = sqliteTable(
  'reservations',
  {
    id: text('id').primaryKey(),
    status: text('status').notNull(),
    totalCents: integer('total_cents').notNull(),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('reservations_status_expires_idx').on(t.status, t.expiresAt)],
);

export const reservationItems = sqliteTable(
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
export { carveInbox, carveOutbox, carveOutboxDelivery } from '../../shared/events/event-tables.sqlite.js';
