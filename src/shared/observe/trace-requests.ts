import { ROOT_CONTEXT, SpanKind, SpanStatusCode, type TextMapGetter, context, propagation, trace } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { tracer } from './tracing.js';

/** Reads the trace headers one by one from the request, rather than copying every header. */
const requestHeaders: TextMapGetter<Context> = {
  keys: () => [],
  get: (c, key) => c.req.header(key),
};

/**
 * traceRequests runs each request in a server span named `<METHOD> <route>`, continuing
 * the trace of an incoming W3C traceparent, so logs and outgoing calls carry its ids.
 * It replaces @hono/otel, which cost about 55 µs of CPU a request here even with every span
 * sampled out: it copied all request headers twice, walked the response headers and
 * recorded a metric on every request. Here a span no one records costs its ids and
 * nothing else; route, status and errors are written only to a recording span.
 *
 * @example app.use(traceRequests())
 */
export function traceRequests(): MiddlewareHandler {
  return async function traceRequests(c, next) {
    const parent = propagation.extract(ROOT_CONTEXT, c, requestHeaders);
    const span = tracer.startSpan(c.req.method, { kind: SpanKind.SERVER }, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      if (span.isRecording()) {
        const route = routePath(c);
        span.updateName(`${c.req.method} ${route}`);
        span.setAttributes({
          [ATTR_HTTP_REQUEST_METHOD]: c.req.method,
          [ATTR_HTTP_ROUTE]: route,
          [ATTR_URL_PATH]: c.req.path,
          [ATTR_HTTP_RESPONSE_STATUS_CODE]: c.res.status,
        });
        // Hono answers a thrown error through onError and keeps it on the context.
        if (c.error) span.recordException(c.error);
        if (c.error || c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
  };
}
