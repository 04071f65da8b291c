import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestCarve, type Topology, startCarve } from '../support/carve-harness.js';
import { tapChildOutput } from '../support/child-service.js';
import { type ReceivedSpan, startOtlpReceiver } from '../support/otlp-receiver.js';
import { adminToken, placeOrder } from '../support/storefront-client.js';

// payments answers port calls; notifications takes OrderPaid through NATS: two hops of each kind.
const EXTRACTED: Topology = {
  name: 'monolith with payments and notifications extracted, events on NATS',
  runner: 'multi-process',
  dialect: 'mixed',
  extracted: ['payments', 'notifications'],
  broker: true,
};
const TRACE_ID = /^[0-9a-f]{32}$/;

async function until<T>(what: string, find: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('one order, followed across processes', () => {
  let t: TestCarve;
  let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
  const output = new Map<string, string>();
  const untap = tapChildOutput((child, text) => output.set(child, (output.get(child) ?? '') + text));
  let traceId = '';
  let orderId = '';
  const inTrace = () => otlp.spans.filter((s) => s.traceId === traceId);
  /** The log lines of the process whose command line names `which`, parsed. */
  const logLines = (which: RegExp) =>
    [...output.entries()]
      .filter(([child]) => which.test(child))
      .flatMap(([, text]) => text.split('\n'))
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    t = await startCarve(
      EXTRACTED,
      { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url, OTEL_BSP_SCHEDULE_DELAY: '100' },
      // Handling an event writes its line at debug.
      { envFor: { notifications: { LOG_LEVEL: 'debug' } } },
    );
    orderId = await placeOrder(t);
    const root = await until('the order request span', () =>
      otlp.spans.find((s) => s.service === 'carve' && s.name === 'POST /api/orders' && s.attributes['http.response.status_code'] === 201),
    );
    traceId = root.traceId;
  }, 120_000);

  afterAll(async () => {
    untap();
    await t?.stop();
    await otlp?.close();
  });

  it('is one trace spanning the monolith, payments and notifications', async () => {
    expect(traceId).toMatch(TRACE_ID);
    await until('payments and notifications spans', () => {
      const services = new Set(inTrace().map((s) => s.service));
      return services.has('payments') && services.has('notifications') ? true : undefined;
    });
    expect(new Set(inTrace().map((s) => s.service))).toEqual(new Set(['carve', 'payments', 'notifications']));
  });

  it('makes each port call a span naming module, method, mode and outcome, and the callee continues it', async () => {
    const charge = inTrace().find((s) => s.name === 'payments.charge')!;
    expect(charge).toMatchObject({
      service: 'carve',
      attributes: { 'carve.caller': 'orders', 'carve.module': 'payments', 'carve.method': 'charge', 'carve.mode': 'remote', 'carve.outcome': 'ok' },
    });
    const served = await until('the payments server span', () => inTrace().find((s) => s.service === 'payments' && s.parentSpanId === charge.spanId));
    expect(served.name).toBe('POST /_rpc/:module/:method');
    const reserve = inTrace().find((s) => s.name === 'catalog.reserve');
    expect(reserve?.attributes).toMatchObject({ 'carve.caller': 'orders', 'carve.mode': 'in-process', 'carve.outcome': 'ok' });
  });

  it('carries the trace with the OrderPaid event, through the outbox and NATS, to its handler', async () => {
    const handled: ReceivedSpan = await until('the OrderPaid handler span', () =>
      inTrace().find((s) => s.service === 'notifications' && s.name === 'handle orders.OrderPaid'),
    );
    expect(handled.attributes['carve.event']).toBe('orders.OrderPaid');
  });

  it('writes the trace id into every process log line of the request, so one search finds it all', async () => {
    const withId = (lines: Record<string, unknown>[]) => lines.filter((l) => l.trace_id === traceId);
    const gateway = withId(logLines(/src\/main\.ts/));
    expect(gateway.some((l) => l.path === '/api/orders' && l.status === 201)).toBe(true);
    const payments = withId(logLines(/service\.ts payments/));
    expect(payments.some((l) => l.path === '/_rpc/payments/charge')).toBe(true);
    const handled = await until('the notifications log line of the order', () =>
      withId(logLines(/service\.ts notifications/)).find((l) => l.msg === 'event handled'),
    );
    expect(handled.type).toBe('orders.OrderPaid');
    // Lines of other requests carry other ids: the id is the request's, not the process's.
    expect(logLines(/src\/main\.ts/).filter((l) => l.path === '/api/identity/users').every((l) => l.trace_id !== traceId)).toBe(true);
    expect(orderId).not.toBe('');
  });

  it('continues the trace through the gateway when it forwards a public request', async () => {
    const admin = await adminToken(t);
    expect((await t.request('GET', '/api/payments', { token: admin })).status).toBe(200);
    const forwarded = await until('the forwarded request in payments', () =>
      otlp.spans.find((s) => s.service === 'payments' && s.name.startsWith('GET /api/payments')),
    );
    expect(otlp.spans.some((s) => s.service === 'carve' && s.traceId === forwarded.traceId && s.name.startsWith('GET /api/payments'))).toBe(true);
  });

  it('serves each process its own metrics', async () => {
    const scrape = async (url: string) => (await fetch(`${url}/metrics`)).text();
    const gateway = await scrape(t.cluster!.gateway.url);
    const line = /carve_port_call_duration_seconds_count\{caller="orders",module="payments",method="charge",mode="remote",outcome="ok"\} (\d+)/.exec(gateway);
    expect(Number(line?.[1])).toBeGreaterThanOrEqual(1);
    expect(gateway).toMatch(/carve_breaker_state\{module="payments"\} 0/);
    const payments = await scrape(t.cluster!.services.get('payments')!.url);
    expect(payments).toMatch(/http_request_duration_seconds_count\{method="POST",route="\/_rpc\/:module\/:method",status="200",ok="true"\} [1-9]/);
    expect(payments).toMatch(/carve_db_connections\{module="payments",state="max"\} \d+/);
    // Its own modules' state only: the monolith's outboxes are the monolith's to report.
    expect(payments).toMatch(/carve_outbox_backlog\{module="payments"\} 0/);
    expect(payments).not.toMatch(/carve_outbox_backlog\{module="orders"\}/);
  });
});
