import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type InProcessCarve, startCarve } from '../../../test/support/carve-harness.js';
import { adminToken, signUp } from '../../../test/support/storefront-client.js';
import { portToken } from '../../shared/di/tokens.js';
import { paymentsContract } from './contract.js';

describe.each(DIALECTS)('GET /api/payments (%s)', (dialect) => {
  let t: InProcessCarve;
  let admin: string;
  beforeAll(async () => {
    t = await startCarve(dialect);
    admin = await adminToken(t);
  });
  afterAll(() => t.stop());

  /** pay charges an order through the payments port, as orders would. */
  const pay = (orderId: string, paymentToken = 'tok_visa') =>
    t.carve.container
      .resolve(portToken(paymentsContract))
      .charge({ orderId, userId: 'user-1', amountCents: 1999, currency: 'USD', paymentToken });

  it("shows an admin an order's payment", async () => {
    const paid = await pay(`route-${Date.now()}`);
    const res = await t.request('GET', `/api/payments?orderId=${paid.orderId}`, { token: admin });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: unknown[] };
    expect(body.items).toEqual([
      expect.objectContaining({ id: paid.id, orderId: paid.orderId, amountCents: 1999, currency: 'USD', status: 'succeeded' }),
    ]);
  });

  it('lists the latest payments newest first without an order id', async () => {
    const first = await pay(`older-${Date.now()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await pay(`newer-${Date.now()}`, 'tok_declined');
    const res = await t.request('GET', '/api/payments', { token: admin });
    expect(res.status).toBe(200);
    const ids = ((await res.json()) as { items: { id: string }[] }).items.map((p) => p.id);
    expect(ids.indexOf(second.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(second.id)).toBeLessThan(ids.indexOf(first.id));
  });

  it('refuses a customer with 403 and a caller without a valid token with 401', async () => {
    const customer = await signUp(t);
    expect((await t.request('GET', '/api/payments', { token: customer.token })).status).toBe(403);
    expect((await t.request('GET', '/api/payments')).status).toBe(401);
    expect((await t.request('GET', '/api/payments', { token: 'not-a-jwt' })).status).toBe(401);
  });
});
