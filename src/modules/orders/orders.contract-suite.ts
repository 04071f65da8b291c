import { expect, it } from 'vitest';
import type { TestCarve } from '../../../test/support/carve-harness.js';
import { adminToken, createProduct, signUp } from '../../../test/support/storefront-client.js';
import { isContractError } from '../../shared/contract/port-error.js';
import { ordersContract } from './contract.js';

/** ordersContractSuite: what any caller may rely on from orders' port, under every runner. */
export function ordersContractSuite(t: () => TestCarve) {
  it('orders: getOrder returns an order placed through the API, and ORDER_NOT_FOUND otherwise', async () => {
    const product = await createProduct(t(), await adminToken(t()), { stock: 2, priceCents: 800 });
    const buyer = await signUp(t(), 'Ordering');
    const placed = await t().request('POST', '/api/orders', {
      token: buyer.token,
      body: { items: [{ productId: product.id, quantity: 2 }], paymentToken: 'tok_visa' },
    });
    expect(placed.status).toBe(201);
    const { id } = (await placed.json()) as { id: string };
    await expect(t().port(ordersContract).getOrder({ id })).resolves.toMatchObject({ id, status: 'paid', totalCents: 1600 });
    const err = await t()
      .port(ordersContract)
      .getOrder({ id: 'no-such-order' })
      .catch((e) => e);
    expect(isContractError(err, ordersContract, 'ORDER_NOT_FOUND')).toBe(true);
  });
}
