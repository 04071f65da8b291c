import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

/**
 * limitBody answers `onError` for a request body over `maxSize` bytes. A body with a
 * Content-Length is judged by that header alone: Node's parser never reads past it, so
 * it is the body's size, and the handler then reads the body straight from the socket.
 * Hono's bodyLimit looks at `c.req.raw.body`, which makes @hono/node-server build a full
 * web Request (stream, AbortSignal, headers) for every request, about 30 µs; it is kept
 * for bodies of no declared length (chunked, or a web Request made in-process), which it
 * counts as they arrive.
 *
 * @example app.use(limitBody(1 << 20, (c) => c.text('too large', 413)))
 */
export function limitBody(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const chunked = bodyLimit({ maxSize, onError });
  // Not async: with async context on, a promise of its own would cost every request its hooks.
  return function limitBody(c, next) {
    // A GET or HEAD has no body (a web Request cannot even carry one).
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length === undefined || c.req.header('transfer-encoding') !== undefined) return chunked(c, next);
    return Number(length) > maxSize ? Promise.resolve(onError(c)) : next();
  };
}
