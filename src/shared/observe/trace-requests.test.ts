import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { Hono } from 'hono';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { traceRequests } from './trace-requests.js';
import { activeTraceId, startTracing } from './tracing.js';

const exporter = new InMemorySpanExporter();
const tracing = startTracing({ serviceName: 'test', exporter });
afterAll(() => tracing.shutdown());
beforeEach(() => exporter.reset());

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const traceparent = (sampled: boolean) => `00-${TRACE_ID}-b7ad6b7169203331-${sampled ? '01' : '00'}`;

const app = new Hono();
app.use(traceRequests());
app.get('/orders/:id', (c) => c.json({ id: c.req.param('id'), traceId: activeTraceId() }));
app.post('/fail', () => {
  throw new Error('boom');
});
app.onError((_err, c) => c.json({ error: 'failed' }, 500));

describe('traceRequests', () => {
  it('records a server span named by method and route, continuing the caller trace', async () => {
    const res = await app.request('/orders/42', { headers: { traceparent: traceparent(true) } });
    expect(await res.json()).toEqual({ id: '42', traceId: TRACE_ID });
    const [span] = exporter.getFinishedSpans();
    expect(span!.name).toBe('GET /orders/:id');
    expect(span!.kind).toBe(SpanKind.SERVER);
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(span!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span!.attributes).toMatchObject({ 'http.request.method': 'GET', 'http.route': '/orders/:id', 'url.path': '/orders/42', 'http.response.status_code': 200 });
  });

  it('marks the span failed, with the exception, when the handler throws', async () => {
    const res = await app.request('/fail', { method: 'POST', headers: { traceparent: traceparent(true) } });
    expect(res.status).toBe(500);
    const [span] = exporter.getFinishedSpans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.events.map((e) => e.name)).toContain('exception');
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
});
