import { expect, it } from 'vitest';
import type { TestCarve } from '../../../test/support/carve-harness.js';
import { adminToken, createProduct } from '../../../test/support/storefront-client.js';
import { isContractError } from '../../shared/contract/port-error.js';
import { catalogContract } from './contract.js';

/**
 * catalogContractSuite is what any caller may rely on from catalog's port, written once
 * and run by test/contracts under every runner.
 */
export function catalogContractSuite(t: () => TestCarve) {
  const catalog = () => t().port(catalogContract);

  it('catalog: getProduct returns the product, and PRODUCT_NOT_FOUND with its id for an unknown one', async () => {
    const product = await createProduct(t(), await adminToken(t()), { stock: 3, priceCents: 450 });
    await expect(catalog().getProduct({ id: product.id })).resolves.toMatchObject({ id: product.id, stock: 3, priceCents: 450 });
    const err = await catalog().getProduct({ id: 'no-such-product' }).catch((e) => e);
    expect(isContractError(err, catalogContract, 'PRODUCT_NOT_FOUND')).toBe(true);
    expect(err.data).toEqual({ productId: 'no-such-product' });
  });

  it('catalog: reserve is keyed by its id, commit sells, release of a settled reservation changes nothing', async () => {
    const product = await createProduct(t(), await adminToken(t()), { stock: 5 });
    const items = [{ productId: product.id, quantity: 2 }];
    const id = `contract-${product.id}`;
    const first = await catalog().reserve({ reservationId: id, items });
    await expect(catalog().reserve({ reservationId: id, items })).resolves.toEqual(first);
    expect(first).toMatchObject({ status: 'held', totalCents: 2 * product.priceCents });
    await expect(catalog().commit({ reservationId: id })).resolves.toMatchObject({ status: 'committed' });
    await expect(catalog().release({ reservationId: id })).resolves.toEqual({ reservationId: id, released: false });
    await expect(catalog().getProduct({ id: product.id })).resolves.toMatchObject({ stock: 3 });
  });

  it('catalog: OUT_OF_STOCK carries what was asked and what is left; RESERVATION_CONFLICT refuses a reused id', async () => {
    const product = await createProduct(t(), await adminToken(t()), { stock: 1 });
    const err = await catalog()
      .reserve({ reservationId: `too-many-${product.id}`, items: [{ productId: product.id, quantity: 2 }] })
      .catch((e) => e);
    expect(isContractError(err, catalogContract, 'OUT_OF_STOCK')).toBe(true);
    expect(err.data).toEqual({ productId: product.id, requested: 2, available: 1 });

    await catalog().reserve({ reservationId: `reused-${product.id}`, items: [{ productId: product.id, quantity: 1 }] });
    const conflict = await catalog()
      .reserve({ reservationId: `reused-${product.id}`, items: [{ productId: product.id, quantity: 2 }] })
      .catch((e) => e);
    expect(isContractError(conflict, catalogContract, 'RESERVATION_CONFLICT')).toBe(true);
  });

  it('catalog: refuses input that breaks the contract before it does anything', async () => {
    await expect(catalog().reserve({ reservationId: 'x', items: [] })).rejects.toMatchObject({ name: 'BoundaryViolation' });
  });
}
