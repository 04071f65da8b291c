import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestCarve, startCarve } from '../support/carve-harness.js';
import { stockOf } from '../support/inspect.js';
import { adminToken, createProduct, signUp } from '../support/storefront-client.js';

// A card processor slower than the reservation TTL: the hold lapses mid-charge.
const PROCESSOR = 'https://slow-processor.test';
const server = setupServer(
  http.post(`${PROCESSOR}/v1/charges`, async () => {
    await delay(2_500);
    return HttpResponse.json({ id: 'ch_slow', status: 'succeeded' });
  }),
);

describe.each(DIALECTS)('a charge slower than the reservation TTL on %s', (dialect) => {
  let t: TestCarve;
  beforeAll(async () => {
    server.listen({ onUnhandledRequest: 'bypass' });
    t = await startCarve(dialect, { PAYMENT_PROVIDER_URL: PROCESSOR, PAYMENT_PROVIDER_TIMEOUT: '10s', RESERVATION_TTL: '1s' });
  });
  afterAll(async () => {
    await t?.stop();
    server.close();
  });

  it('still ends paid, with its stock sold, because the lapsed hold is taken again', async () => {
    const product = await createProduct(t, await adminToken(t), { stock: 2 });
    const buyer = await signUp(t, 'Patient');
    const res = await t.request('POST', '/api/orders', {
      token: buyer.token,
      body: { items: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_slow' },
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ status: 'paid' });
    expect(await stockOf(t, product.id)).toEqual({ available: 1, reserved: 0, sold: 1 });
  });
});
