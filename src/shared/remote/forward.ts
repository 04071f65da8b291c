import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Context, MiddlewareHandler } from 'hono';
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

/**
 * Replies up to this size are read whole and sent on in one write. Piping them through
 * web streams cost the gateway more CPU than anything else it does for an order; a
 * larger reply, or one of no declared length, still streams.
 */
const BUFFER_REPLY_UP_TO = 256 * 1024;

function passable(headers: Iterable<[string, string | string[] | undefined]>): [string, string][] {
  const out: [string, string][] = [];
  for (const [name, value] of headers) {
    if (value === undefined || HOP_BY_HOP.has(name.toLowerCase())) continue;
    for (const v of Array.isArray(value) ? value : [value]) out.push([name, v]);
  }
  return out;
}

/** ClientGone is an undici request signal that aborts when the client hangs up before its answer is written. */
class ClientGone extends EventEmitter {
  aborted = false;
  reason: unknown = undefined;

  constructor(outgoing: ServerResponse) {
    super();
    // 'close' also comes after every answer; only one cut short is a hang-up.
    outgoing.once('close', () => {
      if (outgoing.writableFinished) return;
      this.aborted = true;
      this.reason = new Error('The client closed the connection');
      this.emit('abort');
    });
  }
}

interface NodeSide {
  incoming: IncomingMessage;
  outgoing: ServerResponse;
}

/**
 * nodeSide is the Node request and response behind the web one, when @hono/node-server
 * serves the app and the body can be read straight from the socket. Reading the web
 * Request's body or signal makes the server build a whole web Request, stream and
 * AbortSignal included; the gateway forwarding an order spent a tenth of its CPU there.
 * A body of no declared length may have been wrapped to count it (limitBody), so it
 * takes the web Request.
 */
function nodeSide(c: Context): NodeSide | undefined {
  const env = c.env as Partial<NodeSide> | undefined;
  if (!env?.incoming || !env.outgoing) return undefined;
  if (env.incoming.headers['transfer-encoding'] !== undefined || env.incoming.readableDidRead) return undefined;
  return { incoming: env.incoming, outgoing: env.outgoing };
}

/** requestBody is what to send on: the Node request itself where it can be read straight, else the web Request's body. */
function requestBody(c: Context, node: NodeSide | undefined): Readable | undefined {
  if (c.req.method === 'GET' || c.req.method === 'HEAD') return undefined;
  if (node) return Number(node.incoming.headers['content-length'] ?? 0) > 0 ? node.incoming : undefined;
  return c.req.raw.body === null ? undefined : Readable.fromWeb(c.req.raw.body as WebReadableStream);
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
    const node = nodeSide(c);
    const headers = Object.fromEntries(passable(node ? Object.entries(node.incoming.headers) : c.req.raw.headers.entries()));
    headers[REQUEST_ID_HEADER] = c.var.requestId;
    headers['x-forwarded-host'] = url.host;
    headers['x-forwarded-proto'] = url.protocol.replace(':', '');
    const body = requestBody(c, node);
    const signal = node ? new ClientGone(node.outgoing) : c.req.raw.signal;
    // Nobody is left to answer; 499 (client closed request) only names it in the log.
    const hungUp = () => new Response(null, { status: CLIENT_CLOSED_REQUEST });
    let res: Awaited<ReturnType<RemoteEndpoint['forward']>>;
    try {
      res = await endpoint.forward({ method: c.req.method, path: url.pathname + url.search, headers, body, signal, timeoutMs });
    } catch (err) {
      if (signal.aborted) return hungUp();
      throw err;
    }
    const out = new Headers(passable(Object.entries(res.headers)));
    if (res.statusCode === 204 || res.statusCode === 304 || c.req.method === 'HEAD') {
      await res.body.dump();
      return new Response(null, { status: res.statusCode, headers: out });
    }
    if (Number(res.headers['content-length'] ?? Number.NaN) <= BUFFER_REPLY_UP_TO) {
      try {
        return new Response(new Uint8Array(await res.body.arrayBuffer()), { status: res.statusCode, headers: out });
      } catch (err) {
        if (signal.aborted) return hungUp();
        throw err;
      }
    }
    return new Response(Readable.toWeb(res.body) as ReadableStream, { status: res.statusCode, headers: out });
  };
}
