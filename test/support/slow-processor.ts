import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeProcessor {
  url: string;
  /** How long each charge takes to answer, in ms; change it to make the processor slow or fast. */
  delayMs: number;
  /** Distinct charges made: a request repeating an Idempotency-Key gets the first charge back and makes none. */
  charges: number;
  requests: number;
  close(): Promise<void>;
}

/**
 * startFakeProcessor serves a Stripe-like `POST /v1/charges` on loopback, for payments
 * processes that msw in the test process cannot reach. Every charge succeeds after `delayMs`.
 * Like Stripe, it remembers Idempotency-Keys: asking again under one returns the same charge.
 *
 * @example const processor = await startFakeProcessor(1_500)
 */
export async function startFakeProcessor(delayMs = 0): Promise<FakeProcessor> {
  const state = { delayMs, charges: 0, requests: 0 };
  const byKey = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.requests += 1;
      const key = String(req.headers['idempotency-key'] ?? `request-${state.requests}`);
      let id = byKey.get(key);
      if (!id) {
        state.charges += 1;
        id = `ch_${state.charges}`;
        byKey.set(key, id);
      }
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id, status: 'succeeded' }));
      }, state.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as FakeProcessor;
}
