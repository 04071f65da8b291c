import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../test/support/carve-harness.js';
import type { ModuleDb } from '../../shared/db/module-db.js';
import { countingProcessor, openTestDb, serviceFor } from './payments.test-db.js';
import type { CardProcessor } from './processor/card-processor.js';

const slowly = (inner: CardProcessor): CardProcessor => ({
  name: 'slow',
  // A processor that takes a while keeps the first charge in flight while the others arrive.
  charge: async (request) => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    return inner.charge(request);
  },
});

describe.each(DIALECTS)('concurrent charges of one order (%s)', (dialect) => {
  let db: ModuleDb;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ db, dispose } = await openTestDb(dialect));
  });
  afterAll(() => dispose());

  const input = (orderId: string, paymentToken = 'tok_visa') => ({
    orderId,
    userId: 'user-1',
    amountCents: 4200,
    currency: 'USD',
    paymentToken,
  });

  it('calls the processor once and keeps one row when ten charges race', async () => {
    const { processor, calls } = countingProcessor();
    const service = serviceFor(db, slowly(processor));
    const orderId = `race-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 10 }, () => service.charge(input(orderId))));
    expect(calls).toHaveLength(1);
    expect(new Set(results.map((p) => p.id)).size).toBe(1);
    expect(results.every((p) => p.status === 'succeeded' || p.status === 'pending')).toBe(true);
    expect(await service.listPayments({ orderId })).toHaveLength(1);
    expect((await service.getPayment({ orderId })).status).toBe('succeeded');
  });

  it('re-attempts a failed charge once when ten retries race', async () => {
    const { processor, calls } = countingProcessor();
    const service = serviceFor(db, slowly(processor));
    const orderId = `race-retry-${Date.now()}`;
    expect((await service.charge(input(orderId, 'tok_error'))).status).toBe('failed');
    await Promise.all(Array.from({ length: 10 }, () => service.charge(input(orderId))));
    expect(calls).toHaveLength(2);
    const [row] = await service.listPayments({ orderId });
    expect(row).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});
