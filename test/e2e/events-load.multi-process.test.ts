import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestCarve, type Topology, startCarve } from '../support/carve-harness.js';
import { stockOf } from '../support/inspect.js';
import { countBy, deliveries, expectPaidOrdersNotifiedOnce, inbox, orderRows, paymentRows, soldUnits } from '../support/outcomes.js';
import { orderPlacer, placeOrders, printCounts, sleep, tally } from '../support/order-load.js';
import { type FakeProcessor, startFakeProcessor } from '../support/slow-processor.js';
import { adminToken, createProduct, signUp } from '../support/storefront-client.js';

// 2,000 orders from 32 clients at once across processes, events through a private NATS
// broker, while payments is killed with SIGKILL and restarted twice. Orders whose charge
// was in flight stay pending; the reconciler settles them by asking payments. The second
// block kills payments in the middle of one charge on purpose: what the load hits by chance.

const ON_NATS: Topology = { name: 'multi-process, events on a private NATS broker', runner: 'multi-process', dialect: 'mixed', broker: true };
const ORDERS = 2_000;
const STOCK = 3_000;
const PAYMENTS_DOWN_MS = 3_000;

describe('2,000 orders at concurrency 32 while payments is killed and restarted twice', () => {
  let t: TestCarve;
  let products: string[] = [];
  let buyers: string[] = [];
  beforeAll(async () => {
    // Payments asks again about a charge still unknown after twice the processor timeout.
    t = await startCarve(ON_NATS, { RESERVATION_TTL: '10s', ORDER_SETTLE_AFTER: '5s', PAYMENT_PROVIDER_TIMEOUT: '2s' });
    const admin = await adminToken(t);
    products = await Promise.all([1, 2, 3, 4].map(async (i) => (await createProduct(t, admin, { stock: STOCK, priceCents: 300 * i })).id));
    buyers = await Promise.all(['Ann', 'Bo', 'Cy', 'Di'].map(async (name) => (await signUp(t, name)).token));
  }, 120_000);
  afterAll(() => t?.stop(), 60_000);

  it('loses no stock, charges no order twice, notifies each paid order once, and leaves no order pending', { timeout: 300_000 }, async () => {
    const outage = async () => {
      await t.cluster!.crash('payments');
      await sleep(PAYMENTS_DOWN_MS);
      await t.cluster!.restart('payments');
    };
    const place = orderPlacer(
      t,
      (n) => buyers[n % buyers.length]!,
      (n) => ({ productId: products[n % products.length]!, quantity: 1 + (n % 3) }),
    );
    const placed = await placeOrders({ total: ORDERS, concurrency: 32, place }, async (progress) => {
      await progress.answered(500);
      await outage();
      await progress.answered(1_300);
      await outage();
    });

    // Settled: nothing held, every event delivered and handled, and no order pending.
    await vi.waitFor(
      async () => {
        for (const id of products) expect((await stockOf(t, id)).reserved).toBe(0);
        for (const m of ['identity', 'orders']) expect((await deliveries(t, m)).pending ?? 0).toBe(0);
        expect((await inbox(t, 'notifications')).pending ?? 0).toBe(0);
      },
      { timeout: 120_000, interval: 1_000 },
    );
    await vi
      .waitFor(async () => expect(countBy(await orderRows(t), (o) => o.status).pending ?? 0).toBe(0), { timeout: 45_000, interval: 1_000 })
      .catch(() => {});

    const orders = await orderRows(t);
    const payments = await paymentRows(t);
    const statuses = countBy(orders, (o) => o.status);
    const byId = new Map(orders.map((o) => [o.id, o]));
    const leftPending = placed.filter((p) => p.code === 'PAYMENT_OUTCOME_UNKNOWN' && p.orderId);
    const paymentOf = new Map(payments.map((p) => [p.orderId, p.status]));
    const answerOf = new Map(placed.flatMap((p) => (p.orderId ? [[p.orderId, p.code] as const] : [])));
    const stillPending = orders
      .filter((o) => o.status === 'pending')
      .map((o) => ({ orderId: o.id, payment: paymentOf.get(o.id) ?? 'none', clientGot: answerOf.get(o.id) ?? 'no order id' }));
    const notices = await expectPaidOrdersNotifiedOnce(t).catch((err: Error) => err);
    const notified = notices instanceof Error ? { paid: -1, notified: -1, delivered: -1 } : notices;
    printCounts('load with payments killed twice', {
      ...tally(placed),
      orders: orders.length,
      statuses,
      payments: countBy(payments, (p) => p.status),
      answeredPendingThenSettledByReconciler: countBy(leftPending, (p) => byId.get(p.orderId!)?.status ?? 'missing'),
      notifications: notified.notified,
      eventsDelivered: { 'orders.OrderPaid': notified.delivered, 'identity.UserRegistered': (await deliveries(t, 'identity')).delivered ?? 0 },
      stillPending,
    });

    if (notices instanceof Error) throw notices;
    expect(stillPending, 'orders the reconciler never settled').toEqual([]);
    // Every request was answered, and the faults showed: some orders failed or waited for the reconciler.
    expect(placed).toHaveLength(ORDERS);
    expect(placed.filter((p) => p.status === 0)).toEqual([]);
    expect(placed.filter((p) => p.status !== 201).length).toBeGreaterThan(0);
    expect(orders.length).toBe(ORDERS);
    // An order answered 201 is paid, and stays so.
    expect(placed.filter((p) => p.status === 201 && byId.get(p.orderId!)?.status !== 'paid')).toEqual([]);

    // No order charged twice, none charged without being paid, none paid without a charge, no charge left pending.
    const succeeded = payments.filter((p) => p.status === 'succeeded');
    expect(Object.entries(countBy(succeeded, (p) => p.orderId)).filter(([, n]) => n > 1)).toEqual([]);
    expect(succeeded.filter((p) => byId.get(p.orderId)?.status !== 'paid')).toEqual([]);
    expect(succeeded).toHaveLength(statuses.paid ?? 0);
    expect(payments.filter((p) => p.status === 'pending'), 'charges left pending').toEqual([]);

    // No stock lost: what is not available was sold to a paid order, and nothing stays held.
    const sold = await soldUnits(t);
    for (const id of products) {
      const stock = await stockOf(t, id);
      expect(stock.available + stock.reserved + stock.sold).toBe(STOCK);
      expect(stock).toEqual({ available: STOCK - (sold[id] ?? 0), reserved: 0, sold: sold[id] ?? 0 });
    }
    expect(notified.paid).toBe(statuses.paid);
  });
});

describe('payments killed while a charge waits on the card processor', () => {
  let processor: FakeProcessor;
  let t: TestCarve;
  let token = '';
  let productId = '';
  beforeAll(async () => {
    // Every charge takes 3 s at the processor: long enough to kill payments in the middle of one.
    processor = await startFakeProcessor(3_000);
    t = await startCarve(ON_NATS, { PAYMENT_PROVIDER_URL: processor.url, PAYMENT_PROVIDER_TIMEOUT: '2s', RESERVATION_TTL: '10s', ORDER_SETTLE_AFTER: '2s' });
    productId = (await createProduct(t, await adminToken(t), { stock: 10, priceCents: 2_500 })).id;
    token = (await signUp(t, 'Flo')).token;
  }, 120_000);
  afterAll(async () => {
    await t?.stop();
    await processor?.close();
  }, 60_000);

  it('settles the order once payments is back, rather than waiting forever on a charge nobody will finish', { timeout: 120_000 }, async () => {
    const answer = orderPlacer(t, token, () => ({ productId, quantity: 1 }))(1);
    // The processor has the charge (and takes the money, answering 3 s later); payments has it pending.
    await vi.waitFor(() => expect(processor.charges).toBe(1), { timeout: 15_000, interval: 50 });
    expect((await paymentRows(t)).map((p) => p.status)).toEqual(['pending']);
    await t.cluster!.crash('payments');
    processor.delayMs = 0;
    await t.cluster!.restart('payments');
    const placed = await answer;

    const settled = await vi
      .waitFor(async () => expect((await orderRows(t)).map((o) => o.status)).not.toEqual(['pending']), { timeout: 20_000, interval: 500 })
      .then(
        () => true,
        () => false,
      );
    const [order] = await orderRows(t);
    const [payment] = await paymentRows(t);
    printCounts('charge cut off by a crash', { clientGot: placed.code, order: order?.status, payment: payment?.status, chargesAtProcessor: processor.charges });
    expect(settled, `order ${order?.id} is still pending 20 s after payments came back, its payment ${payment?.status}`).toBe(true);
    // The money was taken: the order must end paid, on one succeeded payment.
    expect({ order: order?.status, payment: payment?.status }).toEqual({ order: 'paid', payment: 'succeeded' });
    // Asked again under the same idempotency key, the processor made no second charge.
    expect(processor.charges).toBe(1);
  });
});
