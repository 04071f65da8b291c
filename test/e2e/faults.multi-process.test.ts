import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPOLOGIES, type TestCarve, startCarve } from '../support/carve-harness.js';
import { stockOf } from '../support/inspect.js';
import { type FakeProcessor, startFakeProcessor } from '../support/slow-processor.js';
import { type Customer, adminToken, createProduct, signUp } from '../support/storefront-client.js';

const MULTI_PROCESS = TOPOLOGIES.find((t) => t.runner === 'multi-process')!;
const STOCK = 500;

interface Outcome {
  status: number;
  code: string;
  retryAfter: string | null;
  quantity: number;
}

interface Shop {
  /** The running storefront; set once the scenario's beforeAll has run. */
  readonly t: TestCarve;
  readonly admin: string;
  place(productId: string, quantity: number): Promise<Outcome>;
  /** Places one order again and again until it is paid: the storefront has recovered. */
  placeUntilPaid(productId: string): Promise<Outcome>;
  orders(): Promise<{ id: string; status: string; items: { quantity: number }[] }[]>;
  payments(): Promise<{ orderId: string; status: string }[]>;
}

/**
 * faultScenario starts the storefront across processes for one describe block, with an
 * admin and a buyer, and gives it what every fault scenario does: place orders, read
 * orders and payments as admin.
 */
function faultScenario(buyerName: string, start: () => Promise<TestCarve>): Shop {
  let t: TestCarve | undefined;
  let admin = '';
  let buyer: Customer;
  beforeAll(async () => {
    t = await start();
    admin = await adminToken(t);
    buyer = await signUp(t, buyerName);
  }, 120_000);
  afterAll(() => t?.stop());

  const asAdmin = async <T>(path: string): Promise<T> => {
    const res = await shop.t.request('GET', path, { token: admin });
    expect(res.status).toBe(200);
    return ((await res.json()) as { items: T }).items;
  };
  const shop: Shop = {
    get t() {
      return t!;
    },
    get admin() {
      return admin;
    },
    async place(productId, quantity) {
      const res = await shop.t.request('POST', '/api/orders', {
        token: buyer.token,
        body: { items: [{ productId, quantity }], paymentToken: 'tok_visa' },
      });
      const body = (await res.json()) as { code?: string };
      return { status: res.status, code: body.code ?? 'PAID', retryAfter: res.headers.get('retry-after'), quantity };
    },
    placeUntilPaid: (productId) =>
      eventually(
        () => shop.place(productId, 1),
        (o) => o.status === 201,
      ),
    orders: () => asAdmin('/api/orders'),
    payments: () => asAdmin('/api/payments'),
  };
  return shop;
}

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
  const until = Date.now() + ms;
  let value = await read();
  while (!ok(value) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    value = await read();
  }
  return value;
}

/**
 * loadWhile places `total` orders from `workers` clients at once and, when `after` of them
 * have answered, runs `midway` (a crash, say) while the rest are still coming in.
 */
async function loadWhile(
  place: (n: number) => Promise<Outcome>,
  { total, workers, after }: { total: number; workers: number; after: number },
  midway: () => Promise<void>,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let started = 0;
  const worker = async () => {
    while (started < total) {
      started += 1;
      outcomes.push(await place(started));
    }
  };
  const load = Promise.all(Array.from({ length: workers }, worker));
  await eventually(
    async () => outcomes.length,
    (n) => n >= after,
  );
  await midway();
  await load;
  return outcomes;
}

/** The invariants a crash or a slow service must never break. */
async function expectNothingLost(shop: Shop, productId: string) {
  const orders = await shop.orders();
  const payments = await shop.payments();
  const orderIds = new Set(orders.map((o) => o.id));
  // No payment exists without its order.
  for (const p of payments) expect(orderIds.has(p.orderId)).toBe(true);
  // No order is paid without exactly one succeeded payment.
  for (const o of orders.filter((x) => x.status === 'paid')) {
    expect(payments.filter((p) => p.orderId === o.id && p.status === 'succeeded')).toHaveLength(1);
  }
  // Stock held by failed or stuck orders comes back, by release or expiry; sold is what was paid for.
  const stock = await eventually(
    () => stockOf(shop.t, productId),
    (s) => s.reserved === 0,
  );
  const paidUnits = orders.filter((o) => o.status === 'paid').reduce((n, o) => n + o.items[0]!.quantity, 0);
  expect(stock).toEqual({ available: STOCK - paidUnits, reserved: 0, sold: paidUnits });
}

describe('payments killed with SIGKILL in the middle of a load of orders', () => {
  const shop = faultScenario('Loaded', () => startCarve(MULTI_PROCESS, { RESERVATION_TTL: '2s' }));

  it('fails fast with 503, loses nothing, and resumes when payments is back, with no caller restarted', async () => {
    const product = await createProduct(shop.t, shop.admin, { stock: STOCK, priceCents: 700 });
    const outcomes = await loadWhile((n) => shop.place(product.id, 1 + (n % 3)), { total: 48, workers: 4, after: 12 }, () =>
      shop.t.cluster!.crash('payments'),
    );

    const beforeCrash = outcomes.slice(0, 12);
    expect(beforeCrash.every((o) => o.status === 201)).toBe(true);
    const failed = outcomes.filter((o) => o.status !== 201);
    expect(failed.length).toBeGreaterThan(0);
    for (const o of failed) {
      expect(o.status).toBe(503);
      expect(Number(o.retryAfter)).toBeGreaterThan(0);
    }
    // Once payments is known to be gone, orders fail at once as UNAVAILABLE, with no charge attempted.
    expect(failed.filter((o) => o.code === 'UNAVAILABLE').length).toBeGreaterThan(0);
    const ready = (await (await fetch(`${shop.t.cluster!.services.get('orders')!.url}/ready`)).json()) as {
      modules: { name: string; breaker?: string }[];
    };
    expect(['open', 'half-open']).toContain(ready.modules.find((m) => m.name === 'payments')?.breaker);

    await shop.t.cluster!.restart('payments');
    expect((await shop.placeUntilPaid(product.id)).status).toBe(201);
    await expectNothingLost(shop, product.id);
  });
});

describe('payments slower than its callers’ deadline', () => {
  let processor: FakeProcessor;
  afterAll(() => processor?.close());
  const shop = faultScenario('Hurried', async () => {
    processor = await startFakeProcessor(1_500);
    return startCarve(
      MULTI_PROCESS,
      { PAYMENT_PROVIDER_URL: processor.url, PAYMENT_PROVIDER_TIMEOUT: '10s', RESERVATION_TTL: '2s' },
      // Orders gives each call 400 ms; a charge takes 1.5 s.
      { envFor: { orders: { RPC_TIMEOUT: '400ms' } } },
    );
  });

  it('answers 503 instead of hanging, charges each order at most once, and serves again once payments is quick', async () => {
    const product = await createProduct(shop.t, shop.admin, { stock: STOCK, priceCents: 900 });
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => shop.place(product.id, 2)));
    for (const o of outcomes) {
      expect(o.status).toBe(503);
      expect(['PAYMENT_OUTCOME_UNKNOWN', 'UNAVAILABLE', 'PAYMENT_FAILED']).toContain(o.code);
    }
    // The slow charges that did begin finish on payments' side, and are recorded once each.
    const payments = await eventually(
      () => shop.payments(),
      (ps) => ps.every((p) => p.status !== 'pending'),
    );
    expect(payments.length).toBeLessThanOrEqual(outcomes.length);
    expect(new Set(payments.map((p) => p.orderId)).size).toBe(payments.length);

    processor.delayMs = 0;
    expect((await shop.placeUntilPaid(product.id)).status).toBe(201);
    await expectNothingLost(shop, product.id);
  });
});

describe('one of two payments instances killed with SIGKILL during a load of orders', () => {
  // Two payments processes on one database; orders balances over PAYMENTS_URL=<a>,<b>.
  const shop = faultScenario('Balanced', () => startCarve(MULTI_PROCESS, { RESERVATION_TTL: '2s' }, { replicas: { payments: 2 } }));

  it('keeps taking orders on the other instance, losing nothing', async () => {
    const product = await createProduct(shop.t, shop.admin, { stock: STOCK, priceCents: 500 });
    const outcomes = await loadWhile(() => shop.place(product.id, 1), { total: 40, workers: 3, after: 10 }, () =>
      shop.t.cluster!.crash('payments#2'),
    );

    // Only an order whose charge was in flight on the killed instance may fail; every later one is paid.
    expect(outcomes.filter((o) => o.status !== 201).length).toBeLessThanOrEqual(3);
    expect(outcomes.slice(-15).every((o) => o.status === 201)).toBe(true);
    await expectNothingLost(shop, product.id);
  });
});
