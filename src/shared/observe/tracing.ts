import { type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type TextMapGetter, TraceFlags, context, isSpanContextValid, propagation, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, ParentBasedSampler, RandomIdGenerator, type SpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { requestContext } from '../log/request-scope.js';

export interface TracingOptions {
  /** Names this process in every span it exports: `carve`, or the module a service hosts. */
  serviceName: string;
  /** OTEL_EXPORTER_OTLP_ENDPOINT: export spans over OTLP/HTTP to this collector. */
  otlpEndpoint?: string;
  /** Export to this exporter instead, span by span: for tests, with an in-memory exporter. */
  exporter?: SpanExporter;
}

/** The tracer every Carve span comes from. A no-op until startTracing registers a provider. */
export const tracer = trace.getTracer('carve');

/** Whether this process sends its spans anywhere: set by startTracing, cleared when that provider shuts down. */
let exporting = false;

/**
 * Set by startTracing when it exports nothing. Then a new span is only a new trace id and
 * span id, which spanUnder makes itself: the SDK's tracer would make the same two ids,
 * ask its ParentBased(AlwaysOff) sampler, and wrap them in the same non-recording span,
 * about 4 µs a request in the monolith's profile.
 */
let idsOnly: RandomIdGenerator | undefined;

/** The carrier fields (headers) the registered propagator reads: none until startTracing registers one. */
let propagatedFields: string[] = [];

/**
 * startTracing registers the process's tracer provider, the W3C trace-context
 * propagator and the AsyncLocalStorage context manager that carries the request id too
 * (request-scope.ts). With no exporter, spans are
 * sampled out: each still gets a trace id that is propagated and logged, at the price
 * of two random ids, so correlation never depends on an exporter.
 *
 * @example const tracing = startTracing({ serviceName: 'payments', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT })
 */
export function startTracing({ serviceName, otlpEndpoint, exporter }: TracingOptions) {
  const sink = exporter ?? (otlpEndpoint ? new OTLPTraceExporter({ url: `${otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }) : undefined);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: sink ? [exporter ? new SimpleSpanProcessor(sink) : new BatchSpanProcessor(sink)] : [],
    // With an exporter, the default: every trace a caller did not sample out (or OTEL_TRACES_SAMPLER).
    ...(sink ? {} : { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }) }),
  });
  provider.register({ contextManager: requestContext });
  exporting = sink !== undefined;
  idsOnly = sink ? undefined : new RandomIdGenerator();
  propagatedFields = propagation.fields();
  return {
    /** shutdown sends the spans still buffered, then stops. */
    shutdown: () => {
      exporting = false;
      idsOnly = undefined;
      return provider.shutdown();
    },
  };
}

/** activeTraceId is the W3C trace id of the span active now, if there is one. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  const ctx = span?.spanContext();
  return ctx && isSpanContextValid(ctx) ? ctx.traceId : undefined;
}

/** currentTraceparent is the W3C traceparent of the active span: what an event stores to carry its trace. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** injectTrace adds the active trace's headers (traceparent, tracestate) to an outgoing request's headers. */
export function injectTrace(headers: Record<string, string>): Record<string, string> {
  propagation.inject(context.active(), headers);
  return headers;
}

/**
 * continueTrace is the context a request continues: what the registered propagator
 * extracts from its headers, or the root context when it carries none of the propagator's
 * fields, as most requests from outside do. Extracting from nothing cost about 2 µs a request.
 *
 * @example const parent = continueTrace(c, { keys: () => [], get: (c, key) => c.req.header(key) })
 */
export function continueTrace<C>(carrier: C, getter: TextMapGetter<C>): Context {
  for (const field of propagatedFields) if (getter.get(carrier, field) !== undefined) return propagation.extract(ROOT_CONTEXT, carrier, getter);
  return ROOT_CONTEXT;
}

/** contextFrom continues a trace from a stored or received traceparent; the root context without one. */
export function contextFrom(traceparent: string | null | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/**
 * spanUnder starts the span a request or an event is handled in, under `parent`, and
 * gives the context to run the work in. A process that exports nothing handles work
 * that arrived with a trace in the caller's own span instead: a span of its own would
 * be recorded nowhere, yet cost two random ids, the sampler's verdict and a context,
 * about 4 µs of the 30 a port call to another process adds to the bare floor. The
 * caller's span carries the same trace id and sampled flag on to logs and further
 * calls, and a later span then names as its parent one that a process did record.
 *
 * @example const { span, scope } = spanUnder('POST', { kind: SpanKind.SERVER }, propagation.extract(ROOT_CONTEXT, headers))
 */
export function spanUnder(
  name: string,
  options: { kind: SpanKind; attributes?: Record<string, string | number | boolean> },
  parent: Context,
): { span: Span; scope: Context } {
  const callers = exporting ? undefined : trace.getSpan(parent);
  if (callers) return { span: callers, scope: parent };
  const span = idsOnly
    ? trace.wrapSpanContext({ traceId: idsOnly.generateTraceId(), spanId: idsOnly.generateSpanId(), traceFlags: TraceFlags.NONE })
    : tracer.startSpan(name, options, parent);
  return { span, scope: trace.setSpan(parent, span) };
}

/**
 * inSpan runs work in a new active span, ending it with the work's outcome. A thrown
 * error marks the span failed and is thrown on.
 *
 * @example await inSpan('handle orders.OrderPaid', { kind: SpanKind.CONSUMER }, contextFrom(row.traceparent), () => handle(row))
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Record<string, string | number | boolean> },
  parent: Context,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const { span, scope } = spanUnder(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  return context.with(scope, async () => {
    try {
      return await work(span);
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
      throw err;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };
