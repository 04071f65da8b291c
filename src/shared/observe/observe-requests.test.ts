import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Hono } from 'hono';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppEnv } from '../http/app-env.js';
import { createLogger } from '../log/logger.js';
import { currentRequestId } from '../log/request-scope.js';
import { createMetrics } from './metrics.js';
import { observeRequests } from './observe-requests.js';
import { activeTraceId, startTracing } from './tracing.js';

const exporter = new InMemorySpanExporter();
const tracing = startTracing({ serviceName: 'test', exporter });
afterAll(() => tracing.shutdown());
const lines: Record<string, unknown>[] = [];
beforeEach(() => {
  exporter.reset();
  lines.length = 0;
});

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const traceparent = (sampled: boolean) => `00-${TRACE_ID}-b7ad6b7169203331-${sampled ? '01' : '00'}`;

const logger = createLogger('info', { write: (line: string) => void lines.push(JSON.parse(line)) });
const app = new Hono<AppEnv>();
app.use(observeRequests({ logger, internalPaths: /^\/_rpc\// }));
app.get('/orders/:id', (c) => {
  c.var.logger.info('inside');
  return c.json({ id: c.req.param('id'), traceId: activeTraceId(), requestId: currentRequestId() });
});
app.post('/_rpc/ledger/echo', (c) => c.json({ requestId: c.var.requestId }));
app.post('/fail', () => {
  throw new Error('boom');
});
app.onError((_err, c) => c.json({ error: 'failed' }, 500));

describe('observeRequests', () => {
  it('records a server span named by method and route, continuing the caller trace', async () => {
    const res = await app.request('/orders/42', { headers: { traceparent: traceparent(true) } });
    expect(await res.json()).toMatchObject({ id: '42', traceId: TRACE_ID });
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('GET /orders/:id');
    expect(span!.kind).toBe(SpanKind.SERVER);
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(span!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span!.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/orders/:id', 'url.path': '/orders/42', 'http.response.status_code': 200 });
  });

  it('marks the span failed, with the exception, when the handler throws, and still logs the request', async () => {
    const res = await app.request('/fail', { method: 'POST', headers: { traceparent: traceparent(true) } });
    expect(res.status).toBe(500);
    const [span] = exporter.getFinishedSpans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.events.map((e) => e.name)).toContain('exception');
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ method: 'POST', path: '/fail', status: 500, trace_id: TRACE_ID });
  });

  it('records nothing for a trace the caller sampled out, yet keeps its trace id for logs and calls', async () => {
    const res = await app.request('/orders/7', { headers: { traceparent: traceparent(false) } });
    expect(((await res.json()) as { traceId: string }).traceId).toBe(TRACE_ID);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
  });

  it('starts a trace of its own for a request without one, and leaves no span active after it', async () => {
    const res = await app.request('/orders/9');
    const { traceId } = (await res.json()) as { traceId: string };
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(traceId).not.toBe(TRACE_ID);
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it("keeps a well-formed client request id, answers with it, and names it in the request's log lines", async () => {
    const res = await app.request('/orders/1', { headers: { 'x-request-id': 'client-id-1', traceparent: traceparent(false) } });
    expect(res.headers.get('x-request-id')).toBe('client-id-1');
    expect(((await res.json()) as { requestId: string }).requestId).toBe('client-id-1');
    expect(lines.find((l) => l.msg === 'inside')).toMatchObject({ requestId: 'client-id-1', trace_id: TRACE_ID });
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ requestId: 'client-id-1', method: 'GET', path: '/orders/1', status: 200, trace_id: TRACE_ID });
    expect(lines.find((l) => l.msg === 'request')!.ms).toEqual(expect.any(Number));
  });

  it('replaces a malformed or overlong request id with a new UUID', async () => {
    for (const given of ['has space', 'semi;colon', 'x'.repeat(129), '']) {
      const res = await app.request('/orders/1', { headers: { 'x-request-id': given } });
      expect(res.headers.get('x-request-id'), JSON.stringify(given)).toMatch(/^[0-9a-f-]{36}$/);
    }
    const res = await app.request('/orders/1', { headers: { 'x-request-id': 'x'.repeat(128) } });
    expect(res.headers.get('x-request-id')).toBe('x'.repeat(128));
  });

  it('keeps and logs the id a calling process sends, without sending it back', async () => {
    const res = await app.request('/_rpc/ledger/echo', { method: 'POST', headers: { 'x-request-id': 'from-orders' } });
    expect(await res.json()).toEqual({ requestId: 'from-orders' });
    expect(res.headers.get('x-request-id')).toBeNull();
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({ requestId: 'from-orders', path: '/_rpc/ledger/echo' });
  });

  it('answers an internal call that sent no id with the one it was given, and a public one with its own id', async () => {
    const internal = await app.request('/_rpc/ledger/echo', { method: 'POST' });
    expect(internal.headers.get('x-request-id')).toBe(((await internal.json()) as { requestId: string }).requestId);
    expect(internal.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await app.request('/_rpc/ledger/echo', { method: 'POST', headers: { 'x-request-id': 'has space' } });
    expect(bad.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const pub = await app.request('/orders/1', { headers: { 'x-request-id': 'from-a-browser' } });
    expect(pub.headers.get('x-request-id')).toBe('from-a-browser');
  });
});

describe('observeRequests with timings', () => {
  const metrics = createMetrics({ processMetrics: false });
  const timed = new Hono<AppEnv>();
  timed.use(observeRequests({ logger, timings: metrics.httpRequests }));
  timed.get('/orders/:id', (c) => c.json({ id: c.req.param('id') }, c.req.param('id') === 'gone' ? 404 : 200));
  timed.post('/fail', () => {
    throw new Error('boom');
  });

  it('times each request by method, route pattern and status, and counts it, where Prometheus scrapes them', async () => {
    for (const id of ['1', '2', 'gone']) await timed.request(`/orders/${id}`);
    await timed.request('/fail', { method: 'POST' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/orders/:id",status="200",ok="true"} 2');
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/orders/:id",status="404",ok="false"} 1');
    expect(text).toContain('http_request_duration_seconds_bucket{le="10",method="GET",route="/orders/:id",status="200",ok="true"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="/orders/:id",status="200",ok="true"} 2');
    expect(text).toContain('http_requests_total{method="POST",route="/fail",status="500",ok="false"} 1');
    expect(text).toMatch(/# TYPE http_requests_total counter/);
  });
});
