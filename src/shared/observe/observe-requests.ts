import { type Span, SpanKind, SpanStatusCode, type TextMapGetter } from '@opentelemetry/api';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from '../http/app-env.js';
import type { Logger } from '../log/logger.js';
import { inRequestScope } from '../log/request-scope.js';
import type { CallHistogram, Observer } from './call-histogram.js';
import { continueTrace, spanUnder } from './tracing.js';

export interface ObserveRequestsOptions {
  /** Writes the one line each request gets; module code reads it as `c.var.logger`. */
  logger: Logger;
  /**
   * Paths only other Carve processes call. A caller there that sent its request id is
   * not sent it back: it never reads the answer's headers, and that one header made the
   * answer a web Headers object, about a tenth of a port call's overhead over the floor.
   */
  internalPaths?: RegExp;
  /** Where each request's duration is observed, by method, route pattern and status. */
  timings?: CallHistogram<'method' | 'route' | 'status' | 'ok'>;
}

/**
 * requestTimer is observe for a request's labels, each set bound once: binding hashes
 * the labels, and a process serves few sets (its routes, methods and statuses).
 */
function requestTimer(timings: NonNullable<ObserveRequestsOptions['timings']>) {
  const bound = new Map<string, Observer>();
  return (c: Context, status: number, seconds: number) => {
    const method = c.req.method;
    const route = routePath(c);
    const key = `${method} ${status} ${route}`;
    let timer = bound.get(key);
    if (!timer) {
      timer = timings.labels({ method, route, status: String(status), ok: String(status >= 200 && status < 300) });
      bound.set(key, timer);
    }
    timer.observe(seconds);
  };
}

/** Reads the trace headers one by one from the request, rather than copying every header. */
const requestHeaders: TextMapGetter<Context> = {
  keys: () => [],
  get: (c, key) => c.req.header(key),
};

/** A client's X-Request-Id is kept when it is short and plain, so one id can follow a request everywhere. */
const ACCEPTED_ID = /^[\w\-=]{1,128}$/;

/**
 * observeRequests gives each request what lets it be found again: a request id (the
 * client's X-Request-Id when well formed, else a new UUID), a server span named
 * `<METHOD> <route>` that continues an incoming W3C traceparent (or, where no span is
 * exported, the caller's span itself: tracing.ts's spanUnder), and one log line when
 * it is answered, when its duration goes into `timings` too. Code the request runs sees
 * the id and the span through async context, so logs and outgoing calls carry both.
 *
 * One middleware rather than four (Hono's requestId, @hono/otel, @hono/prometheus and a logger): every
 * middleware layer costs a request its own promises, and on a call between processes
 * those layers were a tenth of the round trip. A span no one records costs its ids and
 * nothing else; route, status and errors are written only to a recording span.
 *
 * @example app.use(observeRequests({ logger }))
 */
export function observeRequests({ logger, internalPaths, timings }: ObserveRequestsOptions): MiddlewareHandler<AppEnv> {
  const time = timings && requestTimer(timings);
  return function observeRequests(c, next) {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const kept = given !== undefined && ACCEPTED_ID.test(given);
    const requestId = kept ? given : crypto.randomUUID();
    c.set('requestId', requestId);
    c.set('logger', logger);
    // Every answer names the id its caller may not know, so any answer can be traced back.
    if (!kept || !internalPaths?.test(c.req.path)) c.header('X-Request-Id', requestId);

    const parent = continueTrace(c, requestHeaders);
    const { span, scope } = spanUnder(c.req.method, { kind: SpanKind.SERVER }, parent);
    const answered = () => {
      // Hono answers a thrown error through onError, so the request is over either way.
      if (span.isRecording()) record(span, c);
      span.end();
      time?.(c, c.res.status, (performance.now() - started) / 1e3);
      // Asked first: at LOG_LEVEL=warn the line's fields would be built for nothing on every request.
      if (logger.isLevelEnabled('info')) {
        logger.info({ method: c.req.method, path: c.req.path, status: c.res.status, ms: +(performance.now() - started).toFixed(2) }, 'request');
      }
    };
    // Only with no onError to answer it: the span still ends, marked failed where recorded.
    const failed = (err: unknown) => {
      // Hono's own error handler answers it with a 500.
      time?.(c, 500, (performance.now() - started) / 1e3);
      if (span.isRecording()) {
        if (err instanceof Error) span.recordException(err);
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
      throw err;
    };
    // The log line is written inside the request's scope, so it names the id and the trace too.
    return inRequestScope(requestId, () => next().then(answered, failed), scope);
  };
}

function record(span: Span, c: Context): void {
  const route = routePath(c);
  span.updateName(`${c.req.method} ${route}`);
  span.setAttributes({
    [ATTR_HTTP_REQUEST_METHOD]: c.req.method,
    [ATTR_HTTP_ROUTE]: route,
    [ATTR_URL_PATH]: c.req.path,
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: c.res.status,
  });
  if (c.error) span.recordException(c.error);
  if (c.error || c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
}
