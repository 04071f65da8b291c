import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogService } from '../../src/modules/catalog/catalog.service.js';
import { catalogContract } from '../../src/modules/catalog/contract.js';
import { DIALECTS, type InProcessCarve, TOPOLOGIES, type TestCarve, startCarve } from '../support/carve-harness.js';
import { stockOf } from '../support/inspect.js';
import { type Customer, adminToken, createProduct, signUp } from '../support/storefront-client.js';

describe.each(TOPOLOGIES)('the order saga, $name', (topology) => {
  let t: TestCarve;
  let admin: string;
  let buyer: Customer;

  const order = (productId: string, quantity: number, paymentToken = 'tok_visa', headers: Record<string, string> = {}, token = buyer.token) =>
    t.request('POST', '/api/orders', { token, headers, body: { items: [{ productId, quantity }], paymentToken } });

  const paymentsOf = async (orderId: string) =>
    ((await (await t.request('GET', `/api/payments?orderId=${orderId}`, { token: admin })).json()) as { items: { status: string }[] }).items;

  beforeAll(async () => {
    t = await startCarve(topology);
    admin = await adminToken(t);
    buyer = await signUp(t, 'Buyer');
  });
  afterAll(() => t?.stop());

  it('keeps a declined order as payment_failed, answers 402 and puts the stock back', async () => {
    const product = await createProduct(t, admin, { stock: 4 });
    const res = await order(product.id, 3, 'tok_declined');
    expect(res.status).toBe(402);
    const problem = (await res.json()) as { code: string; orderId: string };
    expect(problem.code).toBe('PAYMENT_DECLINED');
    const kept = await t.request('GET', `/api/orders/${problem.orderId}`, { token: buyer.token });
    expect(await kept.json()).toMatchObject({ status: 'payment_failed' });
    expect(await stockOf(t, product.id)).toEqual({ available: 4, reserved: 0, sold: 0 });
    expect((await paymentsOf(problem.orderId)).map((p) => p.status)).toEqual(['declined']);
  });

  it('answers 503 with Retry-After when the processor fails, taking no money and releasing the stock', async () => {
    const product = await createProduct(t, admin, { stock: 2 });
    const res = await order(product.id, 1, 'tok_error');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    const { orderId } = (await res.json()) as { orderId: string };
    expect(await stockOf(t, product.id)).toEqual({ available: 2, reserved: 0, sold: 0 });
    expect((await paymentsOf(orderId)).map((p) => p.status)).toEqual(['failed']);
  });

  it('answers 409 when an item is out of stock, and charges nothing', async () => {
    const product = await createProduct(t, admin, { stock: 1 });
    const res = await order(product.id, 2);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ code: 'OUT_OF_STOCK', productId: product.id, requested: 2, available: 1 });
    expect(await stockOf(t, product.id)).toEqual({ available: 1, reserved: 0, sold: 0 });
  });

  it('answers 404 when a product is unknown, and holds nothing of the known ones', async () => {
    const product = await createProduct(t, admin, { stock: 3 });
    const res = await t.request('POST', '/api/orders', {
      token: buyer.token,
      body: { items: [{ productId: product.id, quantity: 1 }, { productId: 'no-such-product', quantity: 1 }], paymentToken: 'tok_visa' },
    });
    expect(res.status).toBe(404);
    expect(await stockOf(t, product.id)).toEqual({ available: 3, reserved: 0, sold: 0 });
  });

  describe('with an Idempotency-Key', () => {
    it('returns the same order for the same key and body, charging and taking stock once', async () => {
      const product = await createProduct(t, admin, { stock: 5 });
      const key = { 'Idempotency-Key': `k-${product.id}` };
      const first = await order(product.id, 2, 'tok_visa', key);
      const second = await order(product.id, 2, 'tok_visa', key);
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      const a = (await first.json()) as { id: string };
      expect(await second.json()).toEqual(a);
      expect(await stockOf(t, product.id)).toEqual({ available: 3, reserved: 0, sold: 2 });
      expect(await paymentsOf(a.id)).toHaveLength(1);
    });

    it('answers 422 when the key is reused with a different body', async () => {
      const product = await createProduct(t, admin, { stock: 5 });
      const key = { 'Idempotency-Key': `k2-${product.id}` };
      expect((await order(product.id, 1, 'tok_visa', key)).status).toBe(201);
      const res = await order(product.id, 2, 'tok_visa', key);
      expect(res.status).toBe(422);
      expect(await stockOf(t, product.id)).toEqual({ available: 4, reserved: 0, sold: 1 });
    });

    it('replays a declined order as the same 402 without charging again', async () => {
      const product = await createProduct(t, admin, { stock: 5 });
      const key = { 'Idempotency-Key': `k3-${product.id}` };
      const first = (await (await order(product.id, 1, 'tok_declined', key)).json()) as { orderId: string };
      const again = await order(product.id, 1, 'tok_declined', key);
      expect(again.status).toBe(402);
      expect(((await again.json()) as { orderId: string }).orderId).toBe(first.orderId);
      expect(await paymentsOf(first.orderId)).toHaveLength(1);
    });

    it('scopes keys to the user, so two customers may use the same key', async () => {
      const other = await signUp(t, 'Other');
      const product = await createProduct(t, admin, { stock: 5 });
      const key = { 'Idempotency-Key': 'shared-key' };
      const a = (await (await order(product.id, 1, 'tok_visa', key)).json()) as { id: string };
      const b = (await (await order(product.id, 1, 'tok_visa', key, other.token)).json()) as { id: string };
      expect(a.id).not.toBe(b.id);
    });

    it('answers concurrent retries of one key with one order', async () => {
      const product = await createProduct(t, admin, { stock: 50 });
      const key = { 'Idempotency-Key': `race-${product.id}` };
      const responses = await Promise.all(Array.from({ length: 8 }, () => order(product.id, 1, 'tok_visa', key)));
      const statuses = responses.map((r) => r.status);
      expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
      expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
      expect((await stockOf(t, product.id)).sold).toBe(1);
    });
  });

  it('never oversells when 50 orders race for the last 5 units', async () => {
    const product = await createProduct(t, admin, { stock: 5 });
    const buyers = await Promise.all(Array.from({ length: 5 }, (_, i) => signUp(t, `Racer ${i}`)));
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => order(product.id, 1, 'tok_visa', {}, buyers[i % buyers.length]!.token)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(45);
    expect(await stockOf(t, product.id)).toEqual({ available: 0, reserved: 0, sold: 5 });
  });

  it('keeps initial stock = available + reserved + sold, and every paid order has exactly one succeeded payment', async () => {
    const products = await Promise.all([10, 4, 7].map((stock) => createProduct(t, admin, { stock })));
    const tokens = ['tok_visa', 'tok_declined', 'tok_error', 'tok_visa'];
    await Promise.all(
      Array.from({ length: 24 }, (_, i) => order(products[i % 3]!.id, 1 + (i % 2), tokens[i % tokens.length]!)),
    );
    for (const [i, initial] of [10, 4, 7].entries()) {
      const s = await stockOf(t, products[i]!.id);
      expect(s.available + s.reserved + s.sold).toBe(initial);
      expect(s.reserved).toBe(0);
    }
    const all = (await (await t.request('GET', '/api/orders', { token: admin })).json()) as { items: { id: string; status: string }[] };
    for (const o of all.items.filter((x) => x.status === 'paid')) {
      expect((await paymentsOf(o.id)).filter((p) => p.status === 'succeeded')).toHaveLength(1);
    }
  });
});

// These reach into catalog's internals to expire holds on demand, so they run in-process.
describe.each(DIALECTS)('lapsed reservations on %s', (dialect) => {
  let t: InProcessCarve;
  let admin: string;
  let buyer: Customer;

  const order = (productId: string, quantity: number) =>
    t.request('POST', '/api/orders', { token: buyer.token, body: { items: [{ productId, quantity }], paymentToken: 'tok_visa' } });

  beforeAll(async () => {
    t = await startCarve(dialect);
    admin = await adminToken(t);
    buyer = await signUp(t, 'Buyer');
  });
  afterAll(() => t?.stop());

  it('returns the stock of a reservation whose flow died, once it expires', async () => {
    const product = await createProduct(t, admin, { stock: 6 });
    const catalog = t.port(catalogContract);
    await catalog.reserve({ reservationId: `abandoned-${product.id}`, items: [{ productId: product.id, quantity: 4 }] });
    expect(await stockOf(t, product.id)).toEqual({ available: 2, reserved: 4, sold: 0 });

    const service = t.carve.hosted.find((h) => h.module.name === 'catalog')!.container.resolve(CatalogService);
    expect(await service.expireDue(Date.now() + 10 * 60_000)).toBeGreaterThanOrEqual(1);
    expect(await stockOf(t, product.id)).toEqual({ available: 6, reserved: 0, sold: 0 });
    await expect(catalog.commit({ reservationId: `abandoned-${product.id}` })).rejects.toMatchObject({ code: 'RESERVATION_EXPIRED' });
  });

  it('takes a lapsed hold again when the same reservation is asked for, if the stock is still there', async () => {
    const product = await createProduct(t, admin, { stock: 4 });
    const catalog = t.port(catalogContract);
    const service = t.carve.hosted.find((h) => h.module.name === 'catalog')!.container.resolve(CatalogService);
    const items = [{ productId: product.id, quantity: 3 }];
    await catalog.reserve({ reservationId: `lapsed-${product.id}`, items });
    await service.expireDue(Date.now() + 10 * 60_000);

    await expect(catalog.reserve({ reservationId: `lapsed-${product.id}`, items })).resolves.toMatchObject({ status: 'held' });
    await expect(catalog.commit({ reservationId: `lapsed-${product.id}` })).resolves.toMatchObject({ status: 'committed' });
    expect(await stockOf(t, product.id)).toEqual({ available: 1, reserved: 0, sold: 3 });

    await catalog.reserve({ reservationId: `gone-${product.id}`, items: [{ productId: product.id, quantity: 1 }] });
    await service.expireDue(Date.now() + 10 * 60_000);
    await order(product.id, 1);
    await expect(
      catalog.reserve({ reservationId: `gone-${product.id}`, items: [{ productId: product.id, quantity: 1 }] }),
    ).rejects.toMatchObject({ code: 'OUT_OF_STOCK' });
    expect(await stockOf(t, product.id)).toEqual({ available: 0, reserved: 0, sold: 4 });
  });
});
