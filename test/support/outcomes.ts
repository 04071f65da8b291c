import { count, eq } from 'drizzle-orm';
import { expect } from 'vitest';
import { notificationsTables } from '../../src/modules/notifications/notifications.tables.js';
import { ordersTables } from '../../src/modules/orders/orders.tables.js';
import { paymentsTables } from '../../src/modules/payments/payments.tables.js';
import { eventTables } from '../../src/shared/events/event-tables.js';
import type { TestCarve } from './carve-harness.js';

// What the modules did, read straight from each one's own database, wherever it runs:
// the API shows none of the outbox, the inbox, who was notified of what, or every order.

export type StatusCounts = Record<string, number>;

const byStatus = (rows: { status: string; n: number }[]): StatusCounts =>
  Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));

/** deliveries counts a module's outbox deliveries by status (pending, delivered, dead), for one event type or all. */
export async function deliveries(t: TestCarve, module: string, type?: string): Promise<StatusCounts> {
  const db = t.moduleDb(module);
  const { carveOutbox: outbox, carveOutboxDelivery: delivery } = eventTables(db.dialect);
  const rows = await db.read((q) =>
    q
      .select({ status: delivery.status, n: count() })
      .from(delivery)
      .innerJoin(outbox, eq(outbox.id, delivery.eventId))
      .where(type ? eq(outbox.type, type) : undefined)
      .groupBy(delivery.status),
  );
  return byStatus(rows);
}

/** inbox counts a module's received events by status (pending, handled, dead), for one event type or all. */
export async function inbox(t: TestCarve, module: string, type?: string): Promise<StatusCounts> {
  const db = t.moduleDb(module);
  const { carveInbox } = eventTables(db.dialect);
  const rows = await db.read((q) =>
    q
      .select({ status: carveInbox.status, n: count() })
      .from(carveInbox)
      .where(type ? eq(carveInbox.type, type) : undefined)
      .groupBy(carveInbox.status),
  );
  return byStatus(rows);
}

/** orderRows is every order with its status and failure code, from orders' own database. */
export async function orderRows(t: TestCarve) {
  const db = t.moduleDb('orders');
  const { orders } = ordersTables(db.dialect);
  return db.read((q) => q.select({ id: orders.id, status: orders.status, failureCode: orders.failureCode }).from(orders));
}

/** soldUnits is, per product, the units of every paid order: what catalog's `sold` must equal. */
export async function soldUnits(t: TestCarve): Promise<Record<string, number>> {
  const db = t.moduleDb('orders');
  const { orders, orderItems } = ordersTables(db.dialect);
  const rows = await db.read((q) =>
    q
      .select({ productId: orderItems.productId, quantity: orderItems.quantity })
      .from(orderItems)
      .innerJoin(orders, eq(orders.id, orderItems.orderId))
      .where(eq(orders.status, 'paid')),
  );
  const sold: Record<string, number> = {};
  for (const r of rows) sold[r.productId] = (sold[r.productId] ?? 0) + r.quantity;
  return sold;
}

/** paymentRows is every payment (one per order at most, by payments' own rule), from payments' own database. */
export async function paymentRows(t: TestCarve) {
  const db = t.moduleDb('payments');
  const { payments } = paymentsTables(db.dialect);
  return db.read((q) => q.select({ orderId: payments.orderId, status: payments.status }).from(payments));
}

/** countBy tallies values by a key: `countBy(orders, (o) => o.status)`. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** EventTally is what the exactly-once check found, for the test to print. */
export interface EventTally {
  paid: number;
  notified: number;
  /** OrderPaid deliveries from orders to notifications that arrived. */
  delivered: number;
}

/**
 * expectPaidOrdersNotifiedOnce checks the end-to-end promise of OrderPaid: every paid
 * order has exactly one order_paid notification (counted per dedupe key), no other order
 * has one, orders published one OrderPaid per paid order, and each reached
 * notifications' inbox and was handled. Failures list the offending orders, not 2,000 rows.
 *
 * @example const { paid, notified } = await expectPaidOrdersNotifiedOnce(t)
 */
export async function expectPaidOrdersNotifiedOnce(t: TestCarve): Promise<EventTally> {
  const paid = new Set((await orderRows(t)).filter((o) => o.status === 'paid').map((o) => `order_paid:${o.id}`));

  const ndb = t.moduleDb('notifications');
  const { notifications } = notificationsTables(ndb.dialect);
  const notices = await ndb.read((q) =>
    q
      .select({ key: notifications.dedupeKey, n: count() })
      .from(notifications)
      .where(eq(notifications.kind, 'order_paid'))
      .groupBy(notifications.dedupeKey),
  );
  const notified = new Map(notices.map((r) => [r.key, Number(r.n)]));
  expect({
    missing: [...paid].filter((key) => !notified.has(key)),
    doubled: [...notified].filter(([, n]) => n !== 1).map(([key]) => key),
    unpaid: [...notified.keys()].filter((key) => !paid.has(key)),
  }).toEqual({ missing: [], doubled: [], unpaid: [] });

  const odb = t.moduleDb('orders');
  const { carveOutbox } = eventTables(odb.dialect);
  const published = await odb.read((q) =>
    q
      .select({ orderId: carveOutbox.aggregateId, n: count() })
      .from(carveOutbox)
      .where(eq(carveOutbox.type, 'orders.OrderPaid'))
      .groupBy(carveOutbox.aggregateId),
  );
  expect(published.filter((p) => Number(p.n) !== 1)).toEqual([]);
  expect(published).toHaveLength(paid.size);

  const sent = await deliveries(t, 'orders', 'orders.OrderPaid');
  expect(sent).toEqual(paid.size === 0 ? {} : { delivered: paid.size });
  expect(await inbox(t, 'notifications', 'orders.OrderPaid')).toEqual(paid.size === 0 ? {} : { handled: paid.size });
  return { paid: paid.size, notified: notified.size, delivered: sent.delivered ?? 0 };
}
