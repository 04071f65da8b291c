import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestCarve, type Topology, startCarve } from '../support/carve-harness.js';
import { deliveries, expectPaidOrdersNotifiedOnce, inbox } from '../support/outcomes.js';
import { orderPlacer, placeOrders, printCounts, sleep, tally } from '../support/order-load.js';
import { adminToken, createProduct, signUp } from '../support/storefront-client.js';

// Events between processes through NATS JetStream (EVENTS_URL), on a broker of this
// test's own (its own port and store, never the shared one on 4222), killed mid-load.

/** Each module its own process, payments on Postgres, events through the cluster's private broker. */
const ON_NATS: Topology = { name: 'multi-process, events on a private NATS broker', runner: 'multi-process', dialect: 'mixed', broker: true };

describe('the NATS broker killed with SIGKILL during a batch of orders', () => {
  let t: TestCarve;
  let token = '';
  let productId = '';
  beforeAll(async () => {
    t = await startCarve(ON_NATS, { RESERVATION_TTL: '10s' });
    productId = (await createProduct(t, await adminToken(t), { stock: 5_000, priceCents: 1_100 })).id;
    token = (await signUp(t, 'Nadia')).token;
  }, 120_000);
  afterAll(() => t?.stop(), 60_000);

  it('keeps taking orders while their events wait in the outbox, then delivers each exactly once', { timeout: 240_000 }, async () => {
    const nats = t.cluster!.nats!;
    expect(nats.url).not.toBe('nats://127.0.0.1:4222');
    let downAt = 0;
    let backAt = 0;
    let waitingWhileDown = 0;
    const placed = await placeOrders(
      { total: 300, concurrency: 8, place: orderPlacer(t, token, () => ({ productId, quantity: 1 })) },
      async (progress) => {
        await progress.answered(60);
        await nats.stop('SIGKILL');
        downAt = Date.now();
        await vi.waitFor(async () => expect((await deliveries(t, 'orders')).pending ?? 0).toBeGreaterThan(0), { timeout: 30_000, interval: 250 });
        await progress.answered(300);
        // Past the relays' first retries, so they are backing off when the broker returns.
        await sleep(downAt + 10_000 - Date.now());
        waitingWhileDown = (await deliveries(t, 'orders')).pending ?? 0;
        await nats.restart();
        backAt = Date.now();
      },
    );

    const whileDown = placed.filter((p) => p.at > downAt && p.at < backAt);
    printCounts('broker down', { ...tally(placed), answeredWhileDown: whileDown.length, waitingInOutboxBeforeRestart: waitingWhileDown });
    expect(whileDown.length).toBeGreaterThan(0);
    expect(placed.filter((p) => p.status !== 201)).toEqual([]);
    expect(waitingWhileDown).toBeGreaterThan(0);

    const counts = await vi.waitFor(
      async () => {
        expect((await deliveries(t, 'orders')).pending ?? 0).toBe(0);
        expect((await inbox(t, 'notifications')).pending ?? 0).toBe(0);
        return expectPaidOrdersNotifiedOnce(t);
      },
      { timeout: 120_000, interval: 1_000 },
    );
    printCounts('broker down, after restart', counts);
    expect(counts.paid).toBe(300);
  });
});
