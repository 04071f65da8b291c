import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/log/logger.js';
import { chooseProcessor } from './choose-processor.js';
import { createSandboxProcessor } from './sandbox-processor.js';

const charge = (token: string) =>
  createSandboxProcessor().charge({ orderId: 'o-1', idempotencyKey: 'o-1', amountCents: 100, currency: 'USD', token });

describe('sandbox card processor', () => {
  it('answers by test token', async () => {
    expect(await charge('tok_visa')).toMatchObject({ outcome: 'succeeded', reference: expect.stringMatching(/^sandbox_/) });
    expect(await charge('tok_declined')).toMatchObject({ outcome: 'declined' });
    expect(await charge('tok_error')).toMatchObject({ outcome: 'failed' });
  });

  it('declines any other token, including names of object properties', async () => {
    for (const token of ['tok_mastercard', 'constructor', '__proto__']) {
      expect(await charge(token)).toEqual({ outcome: 'declined', reason: 'unknown test token' });
    }
  });
});

describe('chooseProcessor', () => {
  const logger = createLogger('silent');
  it('uses the sandbox unless a provider URL is configured', () => {
    expect(chooseProcessor({ PAYMENT_PROVIDER_TIMEOUT: 1000 }, logger).name).toBe('sandbox');
    expect(chooseProcessor({ PAYMENT_PROVIDER_URL: 'https://p.test', PAYMENT_PROVIDER_TIMEOUT: 1000 }, logger).name).toBe('http');
  });
});
