import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/app-env.js';
import type { RemoteEndpoint } from './remote-endpoint.js';
import { REQUEST_ID_HEADER } from './wire.js';

/** nginx's status for a request whose client hung up before the answer: no standard one exists. */
const CLIENT_CLOSED_REQUEST = 499;

/** Headers about one connection, which a proxy must not pass on (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function passable(headers: Iterable<[string, string | string[] | undefined]>): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of headers) {
    if (value === undefined || HOP_BY_HOP.has(name.toLowerCase())) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, v]);
  }
  return out;
}

/**
 * forwardTo answers a public request by passing it to the module's own process: same
 * method, path, query, headers and body, streamed both ways, with this request's id so
 * both processes log one id. A module that cannot be reached is a 503 problem.
 *
 * @example app.all('/api/payments/*', forwardTo(paymentsEndpoint, 15_000))
 */
export function forwardTo(endpoint: RemoteEndpoint, timeoutMs: number): MiddlewareHandler<AppEnv> {
  return async function forward(c) {
    const url = new URL(c.req.url);
    const headers = Object.fromEntries(passable(c.req.raw.headers.entries()));
    headers[REQUEST_ID_HEADER] = c.var.requestId;
    headers['x-forwarded-host'] = url.host;
    headers['x-forwarded-proto'] = url.protocol.replace(':', '');
    const hasBody = c.req.raw.body !== null && c.req.method !== 'GET' && c.req.method !== 'HEAD';
    let res: Awaited<ReturnType<RemoteEndpoint['forward']>>;
    try {
      res = await endpoint.forward({
        method: c.req.method,
        path: url.pathname + url.search,
        headers,
        body: hasBody ? Readable.fromWeb(c.req.raw.body as WebReadableStream) : undefined,
        signal: c.req.raw.signal,
        timeoutMs,
      });
    } catch (err) {
      // Nobody is left to answer; 499 (client closed request) only names it in the log.
      if (c.req.raw.signal.aborted) return new Response(null, { status: CLIENT_CLOSED_REQUEST });
      throw err;
    }
    const out = new Headers(passable(Object.entries(res.headers)));
    const body = res.statusCode === 204 || res.statusCode === 304 || c.req.method === 'HEAD' ? null : Readable.toWeb(res.body);
    if (body === null) await res.body.dump();
    return new Response(body as ReadableStream | null, { status: res.statusCode, headers: out });
  };
}
