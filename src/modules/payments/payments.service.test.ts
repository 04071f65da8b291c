import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/carve-harness.js';
import { createLocalPort } from '../../shared/contract/local-port.js';
import { isContractError } from '../../shared/contract/port-error.js';
import type { ModuleDb } from '../../shared/db/module-db.js';
import { createLogger } from '../../shared/log/logger.js';
import { paymentsContract } from './contract.js';
import { countingProcessor, openTestDb, serviceFor } from './payments.test-db.js';
import type { CardProcessor } from './processor/card-processor.js';

let counter = 0;
const charge = (fields: { amountCents?: number; currency?: string; paymentToken?: string; orderId?: string } = {}) => ({
  orderId: `order-${++counter}-${Date.now()}`,
  userId: 'user-1',
  amountCents: 1250,
  currency: 'USD',
  paymentToken: 'tok_visa',
  ...fields,
});

describe.each(DIALECTS)('payments service (%s)', (dialect) => {
  let db: ModuleDb;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await openTestDb(dialect));
  });
  afterAll(() => dispose());

  /** payments is the service behind the contract's in-process port, as other modules see it. */
  function payments(processor: CardProcessor) {
    const service = serviceFor(db, processor);
    return { service, port: createLocalPort(paymentsContract, service, { strict: true }) };
  }

  it('charges an order and keeps the processor reference', async () => {
    const { processor, calls } = countingProcessor();
    const { service, port } = payments(processor);
    const input = charge();
    const paid = await port.charge(input);
    expect(paid).toMatchObject({ orderId: input.orderId, amountCents: 1250, currency: 'USD', status: 'succeeded' });
    expect(calls).toEqual([expect.objectContaining({ idempotencyKey: input.orderId, amountCents: 1250, token: 'tok_visa' })]);
    const [row] = await service.listPayments({ orderId: input.orderId });
    expect(row).toMatchObject({ id: paid.id, userId: 'user-1', attempts: 1, failureReason: null });
    expect(row?.processorRef).toMatch(/^sandbox_/);
  });

  it('begins no charge for a caller whose deadline has already passed', async () => {
    const { processor, calls } = countingProcessor();
    const { service, port } = payments(processor);
    const input = charge();
    const gone = AbortSignal.abort(new DOMException('deadline passed', 'TimeoutError'));
    await expect(port.charge(input, { deadline: Date.now() - 1, signal: gone })).rejects.toThrow(/deadline passed/);
    expect(calls).toEqual([]);
    expect(await service.listPayments({ orderId: input.orderId })).toEqual([]);
  });

  it('answers a repeat charge with the first payment and does not call the processor again', async () => {
    const { processor, calls } = countingProcessor();
    const { port } = payments(processor);
    const input = charge();
    const first = await port.charge(input);
    const again = await port.charge(input);
    expect(again).toEqual(first);
    expect(calls).toHaveLength(1);
  });

  it('records a decline with its reason, and a declined order is never charged again', async () => {
    const { processor, calls } = countingProcessor();
    const { service, port } = payments(processor);
    const input = charge({ paymentToken: 'tok_declined' });
    expect((await port.charge(input)).status).toBe('declined');
    expect((await port.charge({ ...input, paymentToken: 'tok_visa' })).status).toBe('declined');
    expect(calls).toHaveLength(1);
    const [row] = await service.listPayments({ orderId: input.orderId });
    expect(row?.failureReason).toBe('card declined');
  });

  it('declines a token the sandbox does not know', async () => {
    const { service, port } = payments(countingProcessor().processor);
    const input = charge({ paymentToken: 'tok_made_up' });
    expect((await port.charge(input)).status).toBe('declined');
    expect((await service.listPayments({ orderId: input.orderId }))[0]?.failureReason).toBe('unknown test token');
  });

  it('marks a transient processor fault failed, and a retry charges on the same payment', async () => {
    const { processor, calls } = countingProcessor();
    const { service, port } = payments(processor);
    const input = charge({ paymentToken: 'tok_error' });
    const failed = await port.charge(input);
    expect(failed.status).toBe('failed');
    const retried = await port.charge({ ...input, paymentToken: 'tok_visa' });
    expect(retried).toMatchObject({ id: failed.id, status: 'succeeded' });
    expect(calls.map((c) => c.idempotencyKey)).toEqual([input.orderId, input.orderId]);
    expect(await service.listPayments({ orderId: input.orderId })).toEqual([
      expect.objectContaining({ attempts: 2, failureReason: null }),
    ]);
  });

  it('refuses a repeat with another amount or currency with CHARGE_MISMATCH, without charging', async () => {
    const { processor, calls } = countingProcessor();
    const { port } = payments(processor);
    const input = charge();
    await port.charge(input);
    for (const changed of [{ amountCents: 999 }, { currency: 'EUR' }]) {
      const err = await port.charge({ ...input, ...changed }).catch((e: unknown) => e);
      expect(isContractError(err, paymentsContract, 'CHARGE_MISMATCH')).toBe(true);
    }
    expect(calls).toHaveLength(1);
  });

  it('getPayment tells what became of a charge, and PAYMENT_NOT_FOUND for an order never charged', async () => {
    const { port } = payments(countingProcessor().processor);
    const paid = await port.charge(charge());
    expect(await port.getPayment({ orderId: paid.orderId })).toEqual(paid);
    const err = await port.getPayment({ orderId: 'never-charged' }).catch((e: unknown) => e);
    expect(isContractError(err, paymentsContract, 'PAYMENT_NOT_FOUND')).toBe(true);
  });

  it('leaves an unknown outcome pending and never asks the processor again', async () => {
    const unknown: CardProcessor = { name: 'silent', charge: async () => ({ outcome: 'unknown', reason: 'no answer' }) };
    const { processor, calls } = countingProcessor(unknown);
    const { port } = payments(processor);
    const input = charge();
    expect((await port.charge(input)).status).toBe('pending');
    expect((await port.charge(input)).status).toBe('pending');
    expect((await port.getPayment({ orderId: input.orderId })).status).toBe('pending');
    expect(calls).toHaveLength(1);
  });

  it('treats a processor that throws as an unknown outcome, not a failure to retry', async () => {
    const broken: CardProcessor = {
      name: 'broken',
      charge: () => {
        throw new Error('boom');
      },
    };
    const { port } = payments(broken);
    expect((await port.charge(charge())).status).toBe('pending');
  });

  it('never writes the card token to the log', async () => {
    const lines: string[] = [];
    const logger = createLogger('trace', { write: (line: string) => void lines.push(line) });
    const service = serviceFor(db, countingProcessor().processor, logger);
    for (const paymentToken of ['tok_visa', 'tok_declined', 'tok_error']) await service.charge(charge({ paymentToken }));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.join('\n')).not.toContain('tok_');
  });
});
