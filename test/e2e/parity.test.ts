import { beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN, PARTLY_EXTRACTED, TOPOLOGIES, type TestCarve, type Topology, startCarve } from '../support/carve-harness.js';

const ARRANGEMENTS = [...TOPOLOGIES, PARTLY_EXTRACTED];

/** One request and what came back, with everything that differs by run (ids, times, tokens) normalised. */
interface Exchange {
  step: string;
  status: number;
  contentType: string;
  body: unknown;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

function normalise(value: unknown): unknown {
  if (typeof value === 'string') return JWT.test(value) ? '<jwt>' : value.replace(UUID, '<id>').replace(ISO_TIME, '<time>');
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === 'requestId' ? '<id>' : normalise(v)]));
  }
  return value;
}

/**
 * session is a scripted storefront visit: sign-ups, sign-ins, the catalog, good and bad
 * orders, replays, lists and errors. It returns every exchange, normalised.
 */
async function session(t: TestCarve): Promise<Exchange[]> {
  const log: Exchange[] = [];
  const call = async (step: string, method: string, path: string, opts: Parameters<TestCarve['request']>[2] = {}) => {
    const res = await t.request(method, path, opts);
    const text = await res.text();
    const body = text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text;
    log.push({ step, status: res.status, contentType: res.headers.get('content-type') ?? '', body: normalise(body) });
    return body;
  };
  const alice = { email: 'alice@parity.test', password: 'correct-horse-battery', name: 'Alice' };
  await call('sign up', 'POST', '/api/identity/users', { body: alice });
  await call('sign up again', 'POST', '/api/identity/users', { body: alice });
  await call('sign up badly', 'POST', '/api/identity/users', { body: { email: 'nope', password: 'short', name: '' } });
  const { token } = await call('sign in', 'POST', '/api/identity/sessions', { body: alice });
  await call('sign in with a wrong password', 'POST', '/api/identity/sessions', { body: { ...alice, password: 'wrong-password-1' } });
  await call('me', 'GET', '/api/identity/me', { token });
  await call('me without a token', 'GET', '/api/identity/me');
  const { token: admin } = await call('admin signs in', 'POST', '/api/identity/sessions', { body: ADMIN });

  const mug = { sku: 'MUG-1', name: 'Mug', priceCents: 1500, stock: 3 };
  const product = await call('add a product', 'POST', '/api/catalog/products', { token: admin, body: mug });
  await call('add a product as a customer', 'POST', '/api/catalog/products', { token, body: { ...mug, sku: 'MUG-2' } });
  await call('list products', 'GET', '/api/catalog/products');
  await call('get a product', 'GET', `/api/catalog/products/${product.id}`);
  await call('get an unknown product', 'GET', '/api/catalog/products/unknown');

  const order = (paymentToken: string, quantity: number, headers: Record<string, string> = {}) => ({
    token,
    headers,
    body: { items: [{ productId: product.id, quantity }], paymentToken },
  });
  const placed = await call('order', 'POST', '/api/orders', order('tok_visa', 1));
  await call('get the order', 'GET', `/api/orders/${placed.id}`, { token });
  await call('order with a declined card', 'POST', '/api/orders', order('tok_declined', 1));
  await call('order too many', 'POST', '/api/orders', order('tok_visa', 50));
  await call('order with a key', 'POST', '/api/orders', order('tok_visa', 1, { 'Idempotency-Key': 'k-1' }));
  await call('replay it', 'POST', '/api/orders', order('tok_visa', 1, { 'Idempotency-Key': 'k-1' }));
  await call('reuse the key for another order', 'POST', '/api/orders', order('tok_visa', 2, { 'Idempotency-Key': 'k-1' }));
  await call('order without a token', 'POST', '/api/orders', { body: order('tok_visa', 1).body });
  await call('order with a body that is not JSON', 'POST', '/api/orders', { token, body: '{"items":' });
  await call('my orders', 'GET', '/api/orders', { token });
  await call('all payments', 'GET', '/api/payments', { token: admin });
  await call('payments as a customer', 'GET', '/api/payments', { token });
  // Notices follow events, a moment after the orders answer: wait for the welcome and both paid orders.
  await vi.waitFor(
    async () => {
      const res = await t.request('GET', '/api/notifications', { token });
      expect(((await res.json()) as { items: unknown[] }).items).toHaveLength(3);
    },
    { timeout: 15_000, interval: 50 },
  );
  await call('my notifications', 'GET', '/api/notifications', { token });
  await call('a route that does not exist', 'GET', '/api/nothing-here');
  const doc = await call('the OpenAPI document', 'GET', '/openapi.json');
  log[log.length - 1]!.body = Object.keys(doc.paths).sort();
  return log;
}

// The same scripted session under every runner; every answer must match in-process exactly.
describe('one storefront session under every runner', () => {
  const transcripts = new Map<Topology, Exchange[]>();
  beforeAll(async () => {
    for (const topology of ARRANGEMENTS) {
      const t = await startCarve(topology);
      try {
        transcripts.set(topology, await session(t));
      } finally {
        await t.stop();
      }
    }
  }, 240_000);

  it('is a session that touches successes and every kind of problem', () => {
    const baseline = transcripts.get(TOPOLOGIES[0]!)!;
    expect(new Set(baseline.map((e) => e.status))).toEqual(new Set([200, 201, 400, 401, 402, 403, 404, 409, 422]));
  });

  it.each(ARRANGEMENTS.slice(1))('answers under $name exactly as in-process', (topology) => {
    expect(transcripts.get(topology)).toEqual(transcripts.get(TOPOLOGIES[0]!));
  });
});
