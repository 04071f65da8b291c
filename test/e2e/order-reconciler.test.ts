import { eq } from 'drizzle-orm';
import { newId } from '../../src/shared/db/new-id.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { catalogContract } from '../../src/modules/catalog/contract.js';
import { ordersTables } from '../../src/modules/orders/orders.tables.js';
import { paymentsContract } from '../../src/modules/payments/contract.js';
import { DIALECTS, type InProcessCarve, startCarve } from '../support/carve-harness.js';
import { stockOf } from '../support/inspect.js';
import { adminToken, createProduct, signUp } from '../support/storefront-client.js';

/**
 * A flow that died midway (the process crashed between two saga steps) leaves its order
 * `pending`. The reconciler settles it from what payments says, after ORDER_SETTLE_AFTER.
 */
describe.each(DIALECTS)('the order reconciler on %s', (dialect) => {
  let t: InProcessCarve;
  let product: { id: string };
  let buyer: { userId: string; token: string };

  /** A pending order as a crashed flow leaves it: stored, stock held, and perhaps charged. */
  async function deadFlow({ charged }: { charged: boolean }) {
    const id = newId();
    const db = t.moduleDb('orders');
    const { orders, orderItems } = ordersTables(db.dialect);
    const at = Date.now() - 60_000;
    await db.tx(async (q) => {
      await q.insert(orders).values({
        id, userId: buyer.userId, status: 'pending', totalCents: 1250, currency: 'USD',
        idempotencyKey: null, requestHash: 'h', failureCode: null, failureDetail: null, createdAt: at, updatedAt: at,
      });
      await q.insert(orderItems).values({ orderId: id, productId: product.id, quantity: 1, unitPriceCents: 1250 });
    });
    await t.port(catalogContract).reserve({ reservationId: id, items: [{ productId: product.id, quantity: 1 }] });
    if (charged) {
      await t.port(paymentsContract).charge({ orderId: id, userId: buyer.userId, amountCents: 1250, currency: 'USD', paymentToken: 'tok_visa' });
    }
    return id;
  }
  const statusOf = async (id: string) => {
    const db = t.moduleDb('orders');
    const { orders } = ordersTables(db.dialect);
    const [row] = await db.read((q) => q.select().from(orders).where(eq(orders.id, id)));
    return row!;
  };

  beforeAll(async () => {
    t = await startCarve(dialect, { ORDER_SETTLE_AFTER: '1s' });
    product = await createProduct(t, await adminToken(t), { stock: 10 });
    const customer = await signUp(t, 'Reconciled');
    const me = (await (await t.request('GET', '/api/identity/me', { token: customer.token })).json()) as { id: string };
    buyer = { userId: me.id, token: customer.token };
  });
  afterAll(() => t?.stop());

  it('pays an order whose charge went through, sells its stock and tells the buyer', async () => {
    const id = await deadFlow({ charged: true });
    await vi.waitFor(async () => expect((await statusOf(id)).status).toBe('paid'), { timeout: 15_000, interval: 100 });
    await vi.waitFor(
      async () => {
        const res = await t.request('GET', '/api/notifications', { token: buyer.token });
        const { items } = (await res.json()) as { items: { kind: string; body: string }[] };
        expect(items.filter((n) => n.kind === 'order_paid' && n.body.includes(id))).toHaveLength(1);
      },
      { timeout: 10_000 },
    );
    expect(await stockOf(t, product.id)).toEqual({ available: 9, reserved: 0, sold: 1 });
  });

  it('fails an order that was never charged and releases its stock at once', async () => {
    const id = await deadFlow({ charged: false });
    await vi.waitFor(async () => expect((await statusOf(id)).status).toBe('payment_failed'), { timeout: 15_000, interval: 100 });
    expect((await statusOf(id)).failureCode).toBe('ORDER_FAILED');
    expect(await stockOf(t, product.id)).toEqual({ available: 9, reserved: 0, sold: 1 });
  });
});
