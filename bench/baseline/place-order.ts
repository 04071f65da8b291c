import { newId } from '../../src/shared/db/new-id.js';
import type { ShopDb } from './shop-db.js';

export class OutOfStock extends Error {}

/**
 * placeOrder is the order flow with nothing between the steps: order row, stock
 * reserved, payment row, the sandbox charge, stock committed, order paid, notification.
 * Each step is its own transaction, as in Carve's saga.
 *
 * @example const order = placeOrder(db, userId, [{ productId, quantity: 1 }], 'tok_visa')
 */
export function placeOrder(db: ShopDb, userId: string, items: { productId: string; quantity: number }[], token: string) {
  const now = Date.now();
  const id = newId();
  db.tx(() => {
    db.insertOrder.run(id, userId, 'pending', 0, 'USD', now, now);
    for (const it of items) db.insertOrderItem.run(id, it.productId, it.quantity, 0);
  });
  const total = db.tx(() => {
    let sum = 0;
    db.insertReservation.run(id, 'held', 0, now + 300_000, now, now);
    for (const it of items) {
      const product = db.product.get(it.productId);
      if (!product || product.available < it.quantity) throw new OutOfStock(it.productId);
      db.reserveStock.run(it.quantity, it.quantity, now, it.productId);
      db.insertReservationItem.run(id, it.productId, it.quantity, product.price_cents);
      sum += product.price_cents * it.quantity;
    }
    return sum;
  });
  const paymentId = newId();
  db.tx(() => db.insertPayment.run(paymentId, id, userId, total, 'USD', 'pending', null, now, now));
  const charged = token === 'tok_visa';
  db.tx(() => db.setPayment.run(charged ? 'succeeded' : 'declined', charged ? `sandbox_${newId()}` : null, Date.now(), paymentId));
  db.tx(() => {
    for (const it of items) db.commitStock.run(it.quantity, it.quantity, Date.now(), it.productId);
    db.setReservation.run('committed', Date.now(), id);
  });
  db.tx(() => db.setOrder.run('paid', total, Date.now(), id));
  db.insertNotification.run(newId(), userId, 'order_paid', 'Order paid', `Order ${id} is paid`, `order_paid:${id}`, Date.now());
  return { id, userId, status: 'paid', totalCents: total, currency: 'USD', items };
}
