import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, DIALECTS, type InProcessCarve, startCarve } from '../support/carve-harness.js';
import { adminToken, createProduct, signUp } from '../support/storefront-client.js';

describe.each(DIALECTS)('failures and logs on %s', (dialect) => {
  let t: InProcessCarve;
  beforeAll(async () => {
    t = await startCarve(dialect, {}, { captureLogs: true });
  });
  afterAll(() => t?.stop());

  it('writes one JSON log line per request, carrying the request id it returns', async () => {
    const res = await t.request('GET', '/health');
    const id = res.headers.get('x-request-id');
    const line = t.logs.find((l) => l.requestId === id && l.msg === 'request');
    expect(line).toMatchObject({ level: 'info', method: 'GET', path: '/health', status: 200 });
  });

  it('never writes a password, a bearer token or a payment token to the log', async () => {
    const buyer = await signUp(t, 'Secretive');
    const admin = await adminToken(t);
    const product = await createProduct(t, admin);
    await t.request('POST', '/api/orders', {
      token: buyer.token,
      body: { items: [{ productId: product.id, quantity: 1 }], paymentToken: 'tok_visa' },
    });
    await t.request('POST', '/api/identity/sessions', { body: { email: buyer.email, password: 'a-wrong-password' } });
    const text = JSON.stringify(t.logs);
    expect(t.logs.length).toBeGreaterThan(5);
    for (const secret of ['correct-horse-battery', 'a-wrong-password', ADMIN.password, buyer.token, admin, 'tok_visa']) {
      expect(text).not.toContain(secret);
    }
  });

  // Runs last: it breaks catalog's database on purpose.
  it('answers an unexpected failure with a bare 500 and logs it with the request id', async () => {
    await t.carve.hosted.find((h) => h.module.name === 'catalog')!.db.close();
    const res = await t.request('GET', '/api/catalog/products');
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await res.text();
    expect(JSON.parse(body)).toMatchObject({ status: 500, code: 'INTERNAL', detail: 'Something went wrong on our side' });
    expect(body).not.toMatch(/sqlite|postgres|database|connection|at \w+ \(|\.ts:/i);

    const id = res.headers.get('x-request-id');
    const logged = t.logs.find((l) => l.requestId === id && l.level === 'error');
    expect(logged?.msg).toBe('unhandled error');
    expect(JSON.stringify(logged?.err)).toMatch(/stack/);
  });
});
