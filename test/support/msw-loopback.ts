import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RequestHandler, getResponse } from 'msw';

/** LoopbackCall is one request as the remote side received it. */
export interface LoopbackCall {
  method: string;
  /** Path and query, e.g. /_rpc/ledger/getEntry. */
  path: string;
  headers: Headers;
  body: string;
}

export interface MswLoopback {
  /** Base URL of the listening socket, e.g. http://127.0.0.1:53121. */
  readonly url: string;
  /** Every request received since start or the last resetHandlers, in order. */
  readonly calls: LoopbackCall[];
  /** use puts handlers in front of the current ones, like msw's server.use. */
  use(...handlers: RequestHandler[]): void;
  /** resetHandlers goes back to the handlers given at start and forgets the calls seen. */
  resetHandlers(): void;
  /** close drops open connections, including keep-alive ones, and stops listening. */
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  return headers;
}

/**
 * startMswLoopback serves msw handlers on a real node:http server at 127.0.0.1, on a
 * port the OS picks. msw stands in for the remote side of the port; the client under
 * test uses its real transport (undici pools, keep-alive, timeouts) over a real loopback
 * socket. msw's own interceptors cannot see undici's sockets (mswjs/msw#2165), hence
 * the bridge. `HttpResponse.error()` resets the connection; a request no handler
 * answers gets a 404.
 *
 * @example
 * const remote = await startMswLoopback()
 * remote.use(http.post(`${remote.url}/_rpc/ledger/getEntry`, () => HttpResponse.json(entry)))
 */
export async function startMswLoopback(...initial: RequestHandler[]): Promise<MswLoopback> {
  let handlers = [...initial];
  const calls: LoopbackCall[] = [];

  async function answer(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
    const method = req.method ?? 'GET';
    const body = await readBody(req);
    const headers = headersOf(req);
    calls.push({ method, path: req.url ?? '/', headers, body: body.toString('utf8') });
    // A handler that waits can pass request.signal on, to stop when the client gives up.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const request = new Request(new URL(req.url ?? '/', base), {
      method,
      headers,
      body: method === 'GET' || method === 'HEAD' ? undefined : body,
      signal: gone.signal,
    });
    let response: Response | undefined;
    try {
      response = await getResponse(handlers, request);
    } catch (err) {
      response = new Response(`msw handler threw: ${String(err)}`, { status: 500 });
    }
    if (res.destroyed) return;
    if (response === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no msw handler for ${method} ${req.url}`);
      return;
    }
    if (response.type === 'error') {
      req.socket.destroy();
      return;
    }
    const payload = Buffer.from(await response.arrayBuffer());
    res.statusCode = response.status;
    for (const [name, value] of response.headers) res.appendHeader(name, value);
    res.end(payload);
  }

  let base = '';
  const server: Server = createServer((req, res) => {
    answer(req, res, base).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    calls,
    use(...more) {
      handlers = [...more, ...handlers];
    },
    resetHandlers() {
      handlers = [...initial];
      calls.length = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
