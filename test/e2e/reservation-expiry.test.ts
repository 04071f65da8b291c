import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogContract } from '../../src/modules/catalog/contract.js';
import { TOPOLOGIES, type TestCarve, startCarve } from '../support/carve-harness.js';
import { stockOf } from '../support/inspect.js';
import { adminToken, createProduct } from '../support/storefront-client.js';

describe.each(TOPOLOGIES)('reservation expiry, $name, with a one-second TTL', (topology) => {
  let t: TestCarve;
  beforeAll(async () => {
    t = await startCarve(topology, { RESERVATION_TTL: '1s' });
  });
  afterAll(() => t?.stop());

  it('returns the stock of a flow that died, without anyone asking', async () => {
    const product = await createProduct(t, await adminToken(t), { stock: 5 });
    const catalog = t.port(catalogContract);
    await catalog.reserve({ reservationId: `dead-flow-${product.id}`, items: [{ productId: product.id, quantity: 3 }] });
    expect(await stockOf(t, product.id)).toEqual({ available: 2, reserved: 3, sold: 0 });

    const until = Date.now() + 10_000;
    while (Date.now() < until && (await stockOf(t, product.id)).reserved > 0) await new Promise((r) => setTimeout(r, 200));
    expect(await stockOf(t, product.id)).toEqual({ available: 5, reserved: 0, sold: 0 });
  });
});
