import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPOLOGIES, type TestCarve, startCarve } from '../support/carve-harness.js';
import { placeOrder } from '../support/storefront-client.js';
import { startTestTracing } from '../support/tracing.js';

const LOOPBACK = TOPOLOGIES.find((t) => t.runner === 'loopback')!;

// As `npm start` runs with OTEL_EXPORTER_OTLP_ENDPOINT unset: nothing is exported, yet
// every request has a trace id that reaches the other side of each hop and its logs.
describe('tracing without an exporter', () => {
  let tracing: ReturnType<typeof startTestTracing>;
  let t: TestCarve;

  beforeAll(async () => {
    tracing = startTestTracing({ serviceName: 'carve' });
    t = await startCarve(LOOPBACK, {}, { captureLogs: true });
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await tracing.stop();
  });

  it('still gives each request a W3C trace id, logged on both sides of a port call', async () => {
    await placeOrder(t);
    const requests = t.logs.filter((l) => l.msg === 'request');
    const order = requests.find((l) => l.path === '/api/orders')!;
    expect(order.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const calls = requests.filter((l) => typeof l.path === 'string' && l.path.startsWith('/_rpc/') && l.trace_id === order.trace_id);
    expect(calls.map((l) => l.path)).toEqual(expect.arrayContaining(['/_rpc/catalog/reserve', '/_rpc/payments/charge']));
    // Each public request is a trace of its own.
    const ids = new Set(requests.filter((l) => typeof l.path === 'string' && l.path.startsWith('/api/')).map((l) => l.trace_id));
    expect(ids.size).toBe(requests.filter((l) => typeof l.path === 'string' && l.path.startsWith('/api/')).length);
  });
});
