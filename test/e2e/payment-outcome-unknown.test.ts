import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestCarve, startCarve } from '../support/carve-harness.js';
import { stockOf } from '../support/inspect.js';
import { type Customer, adminToken, createProduct, signUp } from '../support/storefront-client.js';

// The card processor is the one thing truly outside Carve, so msw stands in for it.
const PROCESSOR = 'https://processor.test';
const charges: string[] = [];
const server = setupServer(
  http.post(`${PROCESSOR}/v1/charges`, async ({ request }) => {
    charges.push(request.headers.get('idempotency-key') ?? '');
    const { source } = (await request.json()) as { source: string };
    if (source === 'tok_hang') {
      await delay(2_000);
      return HttpResponse.json({ id: 'late', status: 'succeeded' });
    }
    return HttpResponse.json({ id: `ch_${charges.length}`, status: 'succeeded' });
  }),
);

describe.each(DIALECTS)('an unknown payment outcome on %s', (dialect) => {
  let t: TestCarve;
  let admin: string;
  let buyer: Customer;

  beforeAll(async () => {
    server.listen({ onUnhandledRequest: 'bypass' });
    t = await startCarve(dialect, { PAYMENT_PROVIDER_URL: PROCESSOR, PAYMENT_PROVIDER_TIMEOUT: '50ms' });
    admin = await adminToken(t);
    buyer = await signUp(t, 'Buyer');
  });
  afterAll(async () => {
    await t?.stop();
    server.close();
  });

  it('charges through the real HTTP adapter when the processor answers', async () => {
    const product = await createProduct(t, admin, { stock: 2 });
    const res = await t.request('POST', '/api/orders', {
      token: buyer.token,
      body: { items: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_ok' },
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(charges).toContain(id);
  });

  it('keeps the order pending and the stock held, and never charges again blind', async () => {
    const product = await createProduct(t, admin, { stock: 3 });
    const key = { 'Idempotency-Key': `unknown-${dialect}` };
    const body = { items: [{ productId: product.id, quantity: 2 }], paymentToken: 'tok_hang' };
    const res = await t.request('POST', '/api/orders', { token: buyer.token, headers: key, body });
    expect(res.status).toBe(503);
    const problem = (await res.json()) as { code: string; orderId: string };
    expect(problem.code).toBe('PAYMENT_OUTCOME_UNKNOWN');

    const order = await (await t.request('GET', `/api/orders/${problem.orderId}`, { token: buyer.token })).json();
    expect(order).toMatchObject({ status: 'pending' });
    expect(await stockOf(t, product.id)).toEqual({ available: 1, reserved: 2, sold: 0 });
    const payments = (await (await t.request('GET', `/api/payments?orderId=${problem.orderId}`, { token: admin })).json()) as {
      items: { status: string }[];
    };
    expect(payments.items.map((p) => p.status)).toEqual(['pending']);

    const attempts = charges.filter((k) => k === problem.orderId).length;
    const replay = await t.request('POST', '/api/orders', { token: buyer.token, headers: key, body });
    expect([409, 503]).toContain(replay.status);
    expect(charges.filter((k) => k === problem.orderId).length).toBe(attempts);
  });
});
