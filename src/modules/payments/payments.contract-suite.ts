import { newId } from '../../shared/db/new-id.js';
import { expect, it } from 'vitest';
import type { TestCarve } from '../../../test/support/carve-harness.js';
import { isContractError } from '../../shared/contract/port-error.js';
import { paymentsContract } from './contract.js';

/** paymentsContractSuite: what any caller may rely on from payments' port, under every runner. */
export function paymentsContractSuite(t: () => TestCarve) {
  const payments = () => t().port(paymentsContract);
  const charge = (orderId: string, amountCents = 1200, paymentToken = 'tok_visa') =>
    payments().charge({ orderId, userId: 'contract-user', amountCents, currency: 'USD', paymentToken });

  it('payments: charges an order once, however often it is asked', async () => {
    const orderId = newId();
    const first = await charge(orderId);
    expect(first).toMatchObject({ orderId, amountCents: 1200, status: 'succeeded' });
    await expect(charge(orderId)).resolves.toEqual(first);
    await expect(payments().getPayment({ orderId })).resolves.toEqual(first);
  });

  it('payments: a declined card is a declined payment, not an error', async () => {
    await expect(charge(newId(), 500, 'tok_declined')).resolves.toMatchObject({ status: 'declined' });
  });

  it('payments: CHARGE_MISMATCH for a second charge of one order with another amount; PAYMENT_NOT_FOUND for none', async () => {
    const orderId = newId();
    await charge(orderId, 1000);
    const err = await charge(orderId, 2000).catch((e) => e);
    expect(isContractError(err, paymentsContract, 'CHARGE_MISMATCH')).toBe(true);
    expect(err.data).toEqual({ orderId });
    const missing = await payments()
      .getPayment({ orderId: newId() })
      .catch((e) => e);
    expect(isContractError(missing, paymentsContract, 'PAYMENT_NOT_FOUND')).toBe(true);
  });
}
