import { type Context, type ContextManager, createContextKey } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

const REQUEST_ID = createContextKey('carve request id');

/**
 * RequestContext is OpenTelemetry's AsyncLocalStorage context manager, whose context also
 * holds the id of the request being served. The id had an AsyncLocalStorage of its own;
 * Node 20 copies every AsyncLocalStorage into every promise made, and an order makes
 * about 275 of them, so the second store cost the monolith about 4% of its CPU an order
 * (measured by taking it out).
 *
 * A new trace context keeps the request id of the one it replaces unless it names its
 * own, as when the two were apart: a background round, an event's span or a port call
 * started from a request still logs that request's id.
 */
class RequestContext extends AsyncLocalStorageContextManager {
  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return super.with(this.keepRequestId(ctx), fn, thisArg, ...args);
  }

  override attach(ctx: Context) {
    return super.attach(this.keepRequestId(ctx));
  }

  private keepRequestId(ctx: Context): Context {
    if (ctx.getValue(REQUEST_ID) !== undefined) return ctx;
    const id = this.active().getValue(REQUEST_ID);
    return id === undefined ? ctx : ctx.setValue(REQUEST_ID, id);
  }
}

/**
 * requestContext is the process's one async context: startTracing registers it with
 * OpenTelemetry, and the request id reads it directly, so the id is kept also where no
 * tracer provider is registered (tests, tools).
 */
export const requestContext: ContextManager = new RequestContext();

/**
 * inRequestScope runs the rest of a request with its id in reach of code that has no
 * context object, such as a port client that must pass the id on to another process.
 * `trace` is the trace context to run it in, the active one by default.
 *
 * @example await inRequestScope(c.var.requestId, next, trace.setSpan(parent, span))
 */
export function inRequestScope<T>(requestId: string, work: () => T, trace: Context = requestContext.active()): T {
  return requestContext.with(trace.setValue(REQUEST_ID, requestId), work);
}

/** currentRequestId is the id of the request being served, if any. */
export function currentRequestId(): string | undefined {
  return requestContext.active().getValue(REQUEST_ID) as string | undefined;
}
