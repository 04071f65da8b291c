import { createHash } from 'node:crypto';
import { newId } from '../../src/shared/db/new-id.js';
import type { ModuleDbs } from './module-dbs.js';
import { OutOfStock } from './place-order.js';

type Item = { productId: string; quantity: number };

/**
 * placeOrderDurably is Carve's order flow with its storage kept and its seams taken out: the
 * same four module databases, the same transactions in each, the same rows (outbox,
 * delivery, inbox) and the same lookups, called straight from one function. The event is
 * handed to notifications at once instead of by a relay, and nothing is validated between
 * the steps. What Carve costs beyond this is the price of its ports, DI, contracts and relays.
 *
 * @example const order = placeOrderDurably(dbs, userId, [{ productId, quantity: 1 }], 'tok_visa')
 */
export function placeOrderDurably(dbs: ModuleDbs, userId: string, items: Item[], token: string) {
  const { orders, catalog, payments } = dbs;
  const id = newId();
  const now = Date.now();
  const hash = createHash('sha256').update(JSON.stringify([items, token])).digest('hex');
  orders.tx(() => {
    orders.insert.run(id, userId, 'pending', 'USD', hash, now, now);
    for (const it of items) orders.insertItem.run(id, it.productId, it.quantity);
  });

  const priced = catalog.tx(() => {
    if (catalog.reservation.get(id)) throw new Error(`reservation ${id} exists`);
    const lines = items.map((it) => {
      const held = catalog.hold.get(it.quantity, it.quantity, now, it.productId, it.quantity);
      if (!held) throw new OutOfStock(it.productId);
      return { ...it, unitPriceCents: held.price_cents };
    });
    const total = lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0);
    catalog.insertReservation.run(id, total, now + 300_000, now, now);
    for (const l of lines) catalog.insertReservationItem.run(id, l.productId, l.quantity, l.unitPriceCents);
    return { lines, total };
  });
  orders.tx(() => {
    for (const l of priced.lines) orders.priceItem.run(l.unitPriceCents, id, l.productId);
    orders.total.run(priced.total, Date.now(), id);
  });

  const paymentId = newId();
  payments.tx(() => payments.insert.get(paymentId, id, userId, priced.total, 'USD', token, Date.now(), Date.now()));
  if (token !== 'tok_visa') throw new Error('the durable baseline places paid orders only');
  payments.tx(() => {
    payments.settle.get('succeeded', `sandbox_${newId()}`, Date.now(), paymentId);
    const payload = JSON.stringify({ paymentId, orderId: id, userId, amountCents: priced.total, currency: 'USD' });
    payments.publish.run(newId(), 'payments.PaymentCaptured', id, payload, Date.now());
  });

  catalog.tx(() => {
    catalog.reservation.get(id);
    for (const it of catalog.reservationItems.all(id)) catalog.sell.run(it.quantity, it.quantity, Date.now(), it.product_id);
    catalog.commitReservation.get(Date.now(), id);
  });

  const eventId = newId();
  orders.tx(() => {
    orders.settle.get(Date.now(), id);
    orders.publish.run(eventId, 'orders.OrderPaid', id, JSON.stringify({ orderId: id, userId, totalCents: priced.total, currency: 'USD' }), Date.now());
    orders.addDelivery.run(eventId, 'notifications');
  });
  deliverOrderPaid(dbs);
  return { id, userId, status: 'paid', totalCents: priced.total, currency: 'USD', items: priced.lines };
}

/** deliverOrderPaid moves due events into notifications' inbox, marks them delivered, and handles them. */
function deliverOrderPaid({ orders, notifications }: ModuleDbs) {
  const due = orders.due.all('notifications', Date.now()) as { id: string; type: string; version: number; aggregate_id: string; payload: string; occurred_at: number; attempts: number }[];
  notifications.tx(() => {
    for (const e of due) notifications.receive.get(e.id, e.type, e.version, e.aggregate_id, e.payload, e.occurred_at, Date.now());
  });
  orders.tx(() => {
    for (const e of due) orders.delivered.run(e.attempts + 1, Date.now(), e.id, 'notifications');
  });
  for (const e of notifications.pending.all()) {
    const paid = JSON.parse(e.payload) as { orderId: string; userId: string; totalCents: number };
    notifications.tx(() => {
      notifications.handled.get(1, Date.now(), e.event_id);
      notifications.insert.get(
        newId(),
        paid.userId,
        'order_paid',
        `Order ${paid.orderId} is paid`,
        `Thank you! We received $${(paid.totalCents / 100).toFixed(2)} for order ${paid.orderId}.`,
        `order_paid:${paid.orderId}`,
        Date.now(),
      );
    });
  }
}
