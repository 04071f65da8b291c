import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPOLOGIES, type TestCarve, startCarve } from '../support/carve-harness.js';
import { adminToken, createProduct, placeOrder, signUp } from '../support/storefront-client.js';
import { startTestTracing } from '../support/tracing.js';

// Loopback: one process, but every port call and every event goes over real HTTP to itself.
const LOOPBACK = TOPOLOGIES.find((t) => t.runner === 'loopback')!;

describe('tracing, with an in-memory exporter', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: ReturnType<typeof startTestTracing>;
  let t: TestCarve;

  beforeAll(async () => {
    tracing = startTestTracing({ serviceName: 'carve', exporter });
    t = await startCarve(LOOPBACK);
    await placeOrder(t);
  }, 60_000);

  afterAll(async () => {
    await t?.stop();
    await tracing.stop();
  });

  const spans = () => exporter.getFinishedSpans();
  const orderTrace = () => spans().find((s) => s.name === 'POST /api/orders')!.spanContext().traceId;

  it('puts the request, its port calls over HTTP and the handling of its event in one trace', async () => {
    const traceId = orderTrace();
    await expect.poll(() => spans().some((s) => s.name === 'handle orders.OrderPaid' && s.spanContext().traceId === traceId), { timeout: 10_000 }).toBe(true);
    const inTrace = spans().filter((s) => s.spanContext().traceId === traceId);
    const charge = inTrace.find((s) => s.name === 'payments.charge')!;
    expect(charge.attributes).toMatchObject({ 'carve.caller': 'orders', 'carve.module': 'payments', 'carve.method': 'charge', 'carve.mode': 'remote', 'carve.outcome': 'ok' });
    // The /_rpc request that served the call is the call span's child: the traceparent crossed the wire.
    const served = inTrace.find((s) => s.name === 'POST /_rpc/:module/:method' && s.parentSpanContext?.spanId === charge.spanContext().spanId);
    expect(served).toBeDefined();
  });

  it('records a failed port call with its outcome', async () => {
    const admin = await adminToken(t);
    const product = await createProduct(t, admin, { stock: 1 });
    const ada = await signUp(t);
    const res = await t.request('POST', '/api/orders', {
      token: ada.token,
      body: { items: [{ productId: product.id, quantity: 5 }], paymentToken: 'tok_visa' },
    });
    expect(res.status).toBe(409);
    const reserve = spans().filter((s) => s.name === 'catalog.reserve' && s.attributes['carve.outcome'] === 'error');
    expect(reserve.length).toBeGreaterThan(0);
    expect(reserve.at(-1)!.attributes['carve.error']).toBe('OUT_OF_STOCK');
  });
});
