import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestTracing } from '../../../test/support/tracing.js';
import { tracer } from '../observe/tracing.js';
import { currentRequestId, inRequestScope } from './request-scope.js';

/** currentRequestId after a turn of the event loop, so the id must have crossed an await. */
const idLater = async () => {
  await new Promise((resolve) => setImmediate(resolve));
  return currentRequestId();
};

describe('request scope without a tracer provider (tests, tools)', () => {
  it('names the request across awaits, and nothing outside it', async () => {
    const seen = await inRequestScope('req-plain', idLater);
    expect(seen).toBe('req-plain');
    expect(currentRequestId()).toBeUndefined();
  });
});

describe('request scope sharing the trace context (as under npm start)', () => {
  const exporter = new InMemorySpanExporter();
  const tracing = startTestTracing({ serviceName: 'carve', exporter });
  afterAll(tracing.stop);

  it('runs the request in the trace context it is given, with its id', async () => {
    const span = tracer.startSpan('GET /things');
    const seen = await inRequestScope(
      'req-1',
      async () => ({ id: await idLater(), spanId: trace.getActiveSpan()?.spanContext().spanId }),
      trace.setSpan(ROOT_CONTEXT, span),
    );
    span.end();
    expect(seen).toEqual({ id: 'req-1', spanId: span.spanContext().spanId });
  });

  it('keeps the request id when code switches the trace context, as a background round does', async () => {
    const seen = await inRequestScope('req-2', () => context.with(ROOT_CONTEXT, idLater));
    expect(seen).toBe('req-2');
  });

  it('keeps the active span when only the request id is set', async () => {
    const seen = await tracer.startActiveSpan('outer', async (outer) => {
      const inner = await inRequestScope('req-3', async () => trace.getActiveSpan()?.spanContext().spanId);
      outer.end();
      return inner === outer.spanContext().spanId;
    });
    expect(seen).toBe(true);
  });

  it('lets a nested request scope name its own id, and restores the outer one after it', async () => {
    const seen = await inRequestScope('outer', async () => {
      const inner = await inRequestScope('inner', idLater);
      return [inner, currentRequestId()];
    });
    expect(seen).toEqual(['inner', 'outer']);
  });
});
