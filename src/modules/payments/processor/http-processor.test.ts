import { http, HttpResponse, delay } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../shared/log/logger.js';
import type { ChargeRequest } from './card-processor.js';
import { type HttpProcessorOptions, createHttpProcessor } from './http-processor.js';

const URL_BASE = 'https://processor.test';
const CHARGES = `${URL_BASE}/v1/charges`;
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** seen records each request the fake provider received: headers and JSON body, and when. */
const seen: { headers: Headers; body: unknown; at: number }[] = [];
afterEach(() => {
  seen.length = 0;
});

/** provider answers each request with the next reply, repeating the last one. */
function provider(...replies: (() => Response | Promise<Response>)[]) {
  server.use(
    http.post(CHARGES, async ({ request }) => {
      seen.push({ headers: request.headers, body: await request.json(), at: performance.now() });
      return replies[Math.min(seen.length, replies.length) - 1]!();
    }),
  );
}

const approve = () => HttpResponse.json({ id: 'ch_123', status: 'succeeded' });
const serverError = () => HttpResponse.json({ error: { type: 'api_error' } }, { status: 503 });
const hang = async () => {
  await delay(1_000);
  return approve();
};

const request: ChargeRequest = { orderId: 'order-1', idempotencyKey: 'order-1', amountCents: 1250, currency: 'USD', token: 'tok_secret' };
const lines: string[] = [];
const processor = (opts: Partial<HttpProcessorOptions> = {}) =>
  createHttpProcessor({
    url: `${URL_BASE}/`,
    apiKey: 'sk_test_key',
    timeoutMs: 50,
    retryDelaysMs: [1, 1],
    logger: createLogger('trace', { write: (line: string) => void lines.push(line) }),
    ...opts,
  });

describe('HTTP card processor', () => {
  it('sends the charge with the key and idempotency key, and reads an approval', async () => {
    provider(approve);
    expect(await processor().charge(request)).toEqual({ outcome: 'succeeded', reference: 'ch_123' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.get('authorization')).toBe('Bearer sk_test_key');
    expect(seen[0]?.headers.get('idempotency-key')).toBe('order-1');
    expect(seen[0]?.body).toEqual({ amount: 1250, currency: 'usd', source: 'tok_secret', metadata: { orderId: 'order-1' } });
  });

  it('sends no Authorization header when no key is configured', async () => {
    provider(approve);
    await processor({ apiKey: undefined }).charge(request);
    expect(seen[0]?.headers.has('authorization')).toBe(false);
  });

  it('reads a 402 card error as a decline with its reason', async () => {
    const cardError = { error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.' } };
    provider(() => HttpResponse.json(cardError, { status: 402 }));
    expect(await processor().charge(request)).toEqual({ outcome: 'declined', reason: 'card_declined: Your card was declined.' });
  });

  it('retries a 5xx after a backoff with the same idempotency key, and takes the later approval', async () => {
    provider(serverError, approve);
    expect(await processor({ retryDelaysMs: undefined }).charge(request)).toMatchObject({ outcome: 'succeeded' });
    expect(seen.map((r) => r.headers.get('idempotency-key'))).toEqual(['order-1', 'order-1']);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(75);
  });

  it('gives up after three 5xx replies with failed: the provider said no each time', async () => {
    provider(serverError);
    expect(await processor().charge(request)).toMatchObject({ outcome: 'failed' });
    expect(seen).toHaveLength(3);
    expect(new Set(seen.map((r) => r.headers.get('idempotency-key')))).toEqual(new Set(['order-1']));
  });

  it('calls an outcome unknown when every attempt times out', async () => {
    provider(hang);
    expect(await processor().charge(request)).toMatchObject({ outcome: 'unknown' });
    expect(seen).toHaveLength(3);
  });

  it('calls an outcome unknown when an attempt timed out and the rest were 5xx: that attempt may have charged', async () => {
    provider(hang, serverError);
    expect(await processor().charge(request)).toMatchObject({ outcome: 'unknown' });
  });

  it('calls an outcome unknown when the connection keeps failing', async () => {
    provider(() => HttpResponse.error());
    expect(await processor().charge(request)).toMatchObject({ outcome: 'unknown' });
    expect(seen).toHaveLength(3);
  });

  it('calls a malformed 2xx reply unknown without retrying, and logs an error without the token', async () => {
    for (const reply of [() => HttpResponse.json({ id: 'ch_1', status: 'pending' }), () => HttpResponse.text('<html>')]) {
      provider(reply);
      lines.length = 0;
      expect(await processor().charge(request)).toMatchObject({ outcome: 'unknown' });
      expect(lines.map((l) => JSON.parse(l).level)).toContain('error');
      expect(lines.join('\n')).not.toContain('tok_secret');
    }
    expect(seen).toHaveLength(2);
  });

  it('fails at once, without retrying, when the provider refuses the request', async () => {
    provider(() => HttpResponse.json({ error: { type: 'invalid_request_error' } }, { status: 401 }));
    expect(await processor().charge(request)).toMatchObject({ outcome: 'failed' });
    expect(seen).toHaveLength(1);
  });
});
