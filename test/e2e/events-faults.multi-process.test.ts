import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestCarve, type Topology, startCarve } from '../support/carve-harness.js';
import { deliveries, expectPaidOrdersNotifiedOnce, inbox, orderRows } from '../support/outcomes.js';
import { orderPlacer, placeOrders, printCounts, sleep, tally } from '../support/order-load.js';
import { adminToken, createProduct, signUp } from '../support/storefront-client.js';

// Events pushed over HTTP from orders' outbox to notifications in another process
// (no EVENTS_URL), when either end dies: nothing is lost and nothing happens twice.

/** Each module its own process, payments on Postgres; no EVENTS_URL, so relays push to `/_events/<module>`. */
const HTTP_PUSH: Topology = { name: 'multi-process, events pushed over HTTP', runner: 'multi-process', dialect: 'mixed' };
/** The words: notifications stays down for a whole minute. */
const SUBSCRIBER_DOWN_MS = 60_000;

/** storefront starts the topology for one describe block, with a product and a signed-in buyer. */
function storefront(envFor: Record<string, Record<string, string>> = {}) {
  const shop = { t: undefined as unknown as TestCarve, token: '', productId: '' };
  beforeAll(async () => {
    shop.t = await startCarve(HTTP_PUSH, { RESERVATION_TTL: '10s' }, { envFor });
    const admin = await adminToken(shop.t);
    shop.productId = (await createProduct(shop.t, admin, { stock: 5_000, priceCents: 900 })).id;
    shop.token = (await signUp(shop.t, 'Evie')).token;
  }, 120_000);
  afterAll(() => shop.t?.stop(), 60_000);
  return shop;
}

/** everythingDelivered waits until orders' outbox has nothing left to send and notifications' inbox nothing left to handle. */
async function everythingDelivered(t: TestCarve, timeout: number) {
  await vi.waitFor(
    async () => {
      expect((await deliveries(t, 'orders')).pending ?? 0).toBe(0);
      expect((await inbox(t, 'notifications')).pending ?? 0).toBe(0);
    },
    { timeout, interval: 500 },
  );
}

describe('the subscriber (notifications) killed with SIGKILL during 500 orders, back a minute later', () => {
  const shop = storefront();

  it('keeps taking orders while it is down, then notifies each paid order exactly once', { timeout: 240_000 }, async () => {
    const { t } = shop;
    let crashedAt = 0;
    let restartedAt = 0;
    let waitingWhileDown = 0;
    const placed = await placeOrders(
      { total: 500, concurrency: 8, place: orderPlacer(t, shop.token, () => ({ productId: shop.productId, quantity: 1 })) },
      async (progress) => {
        await progress.answered(100);
        await t.cluster!.crash('notifications');
        crashedAt = Date.now();
        // Orders paid while it is down pile up in orders' outbox, waiting.
        await vi.waitFor(async () => expect((await deliveries(t, 'orders')).pending ?? 0).toBeGreaterThan(0), { timeout: 30_000, interval: 250 });
        await sleep(crashedAt + SUBSCRIBER_DOWN_MS - Date.now());
        waitingWhileDown = (await deliveries(t, 'orders')).pending ?? 0;
        await t.cluster!.restart('notifications');
        restartedAt = Date.now();
      },
    );

    const whileDown = placed.filter((p) => p.at > crashedAt && p.at < restartedAt);
    printCounts('subscriber down', { ...tally(placed), answeredWhileDown: whileDown.length, waitingInOutboxBeforeRestart: waitingWhileDown });
    expect(whileDown.length).toBeGreaterThan(0);
    expect(whileDown.filter((p) => p.status !== 201)).toEqual([]);
    expect(placed.filter((p) => p.status !== 201)).toEqual([]);
    expect(waitingWhileDown).toBeGreaterThan(0);

    await everythingDelivered(t, 120_000);
    const counts = await expectPaidOrdersNotifiedOnce(t);
    printCounts('subscriber down, after restart', counts);
    expect(counts.paid).toBe(500);
  });
});

describe('the publisher (orders) killed with SIGKILL after committing orders, before relaying their events', () => {
  const shop = storefront({ orders: { EVENTS_RELAY: 'paused' } });

  it('delivers every event it committed once it is back with the relay on, exactly once', { timeout: 180_000 }, async () => {
    const { t } = shop;
    const placed = await placeOrders({ total: 40, concurrency: 4, place: orderPlacer(t, shop.token, () => ({ productId: shop.productId, quantity: 2 })) });
    expect(placed.filter((p) => p.status !== 201)).toEqual([]);
    // Three idle rounds of a relay that should not be running: had it sent anything, it would be there by now.
    await sleep(1_500);
    expect(await deliveries(t, 'orders')).toEqual({ pending: 40 });
    expect(await inbox(t, 'notifications', 'orders.OrderPaid')).toEqual({});

    await t.cluster!.crash('orders');
    await t.cluster!.restart('orders', { EVENTS_RELAY: 'on' });

    await everythingDelivered(t, 60_000);
    const counts = await expectPaidOrdersNotifiedOnce(t);
    printCounts('publisher killed before relaying', { ...tally(placed), ...counts, orders: (await orderRows(t)).length });
    expect(counts.paid).toBe(40);
  });
});
