import { createHash } from 'node:crypto';
import { newId } from '../../src/shared/db/new-id.js';
import { DELIVERY_BATCH, type ModuleDbs } from './module-dbs.js';
import { OutOfStock } from './place-order.js';

type Item = { productId: string; quantity: number };
type Line = Item & { unitPriceCents: number };
type Db = ModuleDbs[keyof ModuleDbs];

/** Step is one transaction of the flow: `work` runs inside a transaction on `on`, and its result goes back to the flow. */
export interface Step {
  on: Db;
  work: () => unknown;
}

/**
 * Steps is a flow written once and run by whoever drives it: at once (runNow) or saving
 * each step before the next (commit-each-step.ts). A list of steps yielded together need
 * not wait for each other, as Carve's inbox handles the events of different orders side
 * by side; runNow runs them one after another.
 */
export type Steps<T> = Generator<Step | Step[], T, unknown>;

const step = (on: Db, work: () => unknown): Step => ({ on, work });

/**
 * orderSteps is Carve's order flow with its storage kept and its seams taken out: the
 * same four module databases, the same transactions in each, the same rows (outbox,
 * delivery, inbox) and the same lookups, called straight from one function, with
 * nothing validated between the steps. What Carve costs beyond this is the price of its
 * ports, DI, contracts and relays.
 */
export function* orderSteps(dbs: ModuleDbs, userId: string, items: Item[], token: string): Steps<{ id: string; totalCents: number; items: Line[] }> {
  const { orders, catalog, payments } = dbs;
  const id = newId();
  const now = Date.now();
  const hash = createHash('sha256').update(JSON.stringify([items, token])).digest('hex');
  yield step(orders, () => {
    orders.insert.run(id, userId, 'pending', 'USD', hash, now, now);
    for (const it of items) orders.insertItem.run(id, it.productId, it.quantity);
  });

  const priced = (yield step(catalog, () => {
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
  })) as { lines: Line[]; total: number };
  yield step(orders, () => {
    for (const l of priced.lines) orders.priceItem.run(l.unitPriceCents, id, l.productId);
    orders.total.run(priced.total, Date.now(), id);
  });

  const paymentId = newId();
  yield step(payments, () => payments.insert.get(paymentId, id, userId, priced.total, 'USD', token, Date.now(), Date.now()));
  if (token !== 'tok_visa') throw new Error('the durable baseline places paid orders only');
  yield step(payments, () => {
    payments.settle.get('succeeded', `sandbox_${newId()}`, Date.now(), paymentId);
    const payload = JSON.stringify({ paymentId, orderId: id, userId, amountCents: priced.total, currency: 'USD' });
    payments.publish.run(newId(), 'payments.PaymentCaptured', id, payload, Date.now());
  });

  yield step(catalog, () => {
    catalog.reservation.get(id);
    for (const it of catalog.reservationItems.all(id)) catalog.sell.run(it.quantity, it.quantity, Date.now(), it.product_id);
    catalog.commitReservation.get(Date.now(), id);
  });

  const eventId = newId();
  yield step(orders, () => {
    orders.settle.get(Date.now(), id);
    orders.publish.run(eventId, 'orders.OrderPaid', id, JSON.stringify({ orderId: id, userId, totalCents: priced.total, currency: 'USD' }), Date.now());
    orders.addDelivery.run(eventId, 'notifications');
  });
  return { id, totalCents: priced.total, items: priced.lines };
}

/** deliverySteps moves due events into notifications' inbox, marks them delivered, and handles them; true when a full batch was due, so more may be. */
export function* deliverySteps({ orders, notifications }: ModuleDbs): Steps<boolean> {
  const due = orders.due.all('notifications', Date.now()) as { id: string; type: string; version: number; aggregate_id: string; payload: string; occurred_at: number; attempts: number }[];
  if (due.length === 0) return false;
  yield step(notifications, () => {
    for (const e of due) notifications.receive.get(e.id, e.type, e.version, e.aggregate_id, e.payload, e.occurred_at, Date.now());
  });
  yield step(orders, () => {
    for (const e of due) orders.delivered.run(e.attempts + 1, Date.now(), e.id, 'notifications');
  });
  yield notifications.pending.all().map((e) => {
    const paid = JSON.parse(e.payload) as { orderId: string; userId: string; totalCents: number };
    return step(notifications, () => {
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
  });
  return due.length === DELIVERY_BATCH;
}

/** runNow runs each step as its own transaction, committed as soon as its work is done, within the caller's turn. */
export function runNow<T>(steps: Steps<T>): T {
  let next = steps.next();
  const run = ({ on, work }: Step) => on.tx(work);
  while (!next.done) next = steps.next(Array.isArray(next.value) ? next.value.map(run) : run(next.value));
  return next.value;
}

/**
 * placeOrderDurably runs the order flow and then its notification straight through, each
 * transaction committed alone.
 *
 * @example const order = placeOrderDurably(dbs, userId, [{ productId, quantity: 1 }], 'tok_visa')
 */
export function placeOrderDurably(dbs: ModuleDbs, userId: string, items: Item[], token: string) {
  const order = runNow(orderSteps(dbs, userId, items, token));
  runNow(deliverySteps(dbs));
  return paidOrder(order, userId);
}

/** paidOrder is the answer every durable flow gives. */
export const paidOrder = (order: { id: string; totalCents: number; items: Line[] }, userId: string) => ({
  id: order.id,
  userId,
  status: 'paid',
  totalCents: order.totalCents,
  currency: 'USD',
  items: order.items,
});
