import { newId } from '../../../shared/db/new-id.js';
import type { CardProcessor, ChargeResult } from './card-processor.js';

/** The test tokens the sandbox knows, as Stripe's test mode has them. */
const TEST_TOKENS = new Map<string, () => ChargeResult>([
  ['tok_visa', () => ({ outcome: 'succeeded', reference: `sandbox_${newId()}` })],
  ['tok_declined', () => ({ outcome: 'declined', reason: 'card declined' })],
  ['tok_error', () => ({ outcome: 'failed', reason: 'sandbox processor error' })],
]);

/**
 * createSandboxProcessor is the built-in processor used when no provider URL is set:
 * it moves no money and answers by token, so demos and tests run offline.
 *
 * @example await createSandboxProcessor().charge({ idempotencyKey: orderId, amountCents: 500, currency: 'USD', token: 'tok_visa' })
 */
export function createSandboxProcessor(): CardProcessor {
  return {
    name: 'sandbox',
    async charge({ token }) {
      return TEST_TOKENS.get(token)?.() ?? { outcome: 'declined', reason: 'unknown test token' };
    },
  };
}
