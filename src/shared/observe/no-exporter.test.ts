import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../http/app-env.js';
import { createLogger } from '../log/logger.js';
import { observeRequests } from './observe-requests.js';
import { contextFrom, currentTraceparent, inSpan, startTracing } from './tracing.js';

// As `npm start` runs with no OTEL_EXPORTER_OTLP_ENDPOINT: a provider that exports nothing.
const tracing = startTracing({ serviceName: 'test' });
afterAll(() => tracing.shutdown());

const CALLERS = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const app = new Hono<AppEnv>();
app.use(observeRequests({ logger: createLogger('silent') }));
app.get('/traceparent', (c) => c.json({ sent: currentTraceparent() }));
const sentOn = async (headers: Record<string, string>) => ((await (await app.request('/traceparent', { headers })).json()) as { sent: string }).sent;

describe('tracing in a process that exports no spans', () => {
  it("passes a caller's traceparent on unchanged, sampled flag and all, so a process that does export records the rest under it", async () => {
    expect(await sentOn({ traceparent: CALLERS })).toBe(CALLERS);
  });

  it('still starts a trace, sampled out, for a request that brings none, so its logs and calls correlate', async () => {
    const [first, second] = [await sentOn({}), await sentOn({})];
    expect(first).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(second.split('-')[1]).not.toBe(first.split('-')[1]);
  });

  it('handles an event in the trace it was published in, or in a new one when it carries none', async () => {
    expect(await inSpan('handle orders.OrderPaid', {}, contextFrom(CALLERS), async () => currentTraceparent())).toBe(CALLERS);
    expect(await inSpan('handle orders.OrderPaid', {}, contextFrom(null), async () => currentTraceparent())).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  it('turns a handler that throws at once into a rejection, as with a span of its own', async () => {
    const thrown = inSpan('handle orders.OrderPaid', {}, contextFrom(CALLERS), () => {
      throw new Error('boom');
    });
    await expect(thrown).rejects.toThrow('boom');
  });
});
