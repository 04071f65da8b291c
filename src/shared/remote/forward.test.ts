import { type Server, createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppEnv } from '../http/app-env.js';
import { createLogger } from '../log/logger.js';
import { forwardTo } from './forward.js';
import { RemoteEndpoint } from './remote-endpoint.js';
import { serviceTokens } from './service-token.js';

const listening = (server: { once(event: 'listening', f: () => void): unknown; address(): unknown }) =>
  new Promise<string>((resolve) => server.once('listening', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));

/** A reply larger than the gateway reads whole, so it streams. */
const BIG = Buffer.alloc(1024 * 1024 + 7, 'carve');

// Clients hang up all the time (a closed tab, a load generator stopping). That says
// nothing about the module behind the gateway, so it must not open its breaker.
describe('a gateway forwarding to a module, when clients hang up', () => {
  let module: Server;
  let gateway: ReturnType<typeof serve>;
  let endpoint: RemoteEndpoint;
  let gatewayUrl = '';

  beforeAll(async () => {
    // The module: slow on /slow, echoing on /echo, large on /big, of no declared length on /chunked, quick on everything else.
    module = createServer(async (req, res) => {
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      if (req.url === '/api/orders/slow') setTimeout(answer, 2_000).unref();
      else if (req.url?.startsWith('/api/orders/echo')) {
        const chunks: Buffer[] = [];
        try {
          for await (const chunk of req) chunks.push(chunk as Buffer);
        } catch {
          return; // the gateway gave up on this request midway
        }
        const seen = { method: req.method, url: req.url, body: Buffer.concat(chunks).toString(), custom: req.headers['x-custom'], requestId: req.headers['x-request-id'] };
        res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(seen));
      } else if (req.url === '/api/orders/big') res.writeHead(200, { 'content-length': BIG.length }).end(BIG);
      else if (req.url === '/api/orders/chunked') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        for (const part of ['one,', 'two,', 'three']) res.write(part);
        res.end();
      } else answer();
    });
    const moduleUrl = listening(module);
    module.listen(0, '127.0.0.1');
    endpoint = new RemoteEndpoint({
      module: 'orders',
      urls: () => [url],
      tokens: serviceTokens('forward-test-secret-0123456789abcdef'),
      logger: createLogger('silent'),
      breakAfter: 3,
    });
    const url = await moduleUrl;
    const app = new Hono<AppEnv>();
    app.use(async (c, next) => {
      c.set('requestId', 'req-forward-test');
      await next();
    });
    app.all('/api/orders/*', forwardTo(endpoint, 5_000));
    gateway = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    gatewayUrl = await listening(gateway);
  });

  afterAll(async () => {
    await endpoint.close();
    await new Promise((resolve) => gateway.close(resolve));
    await new Promise((resolve) => module.close(resolve));
  });

  it('keeps the breaker closed and the instance in rotation, and the next request is answered', async () => {
    const hangUp = new AbortController();
    const calls = Array.from({ length: 8 }, () => fetch(`${gatewayUrl}/api/orders/slow`, { signal: hangUp.signal }).catch(() => 'hung up'));
    await new Promise((r) => setTimeout(r, 200));
    hangUp.abort();
    expect(await Promise.all(calls)).toEqual(Array(8).fill('hung up'));
    // The gateway sees each hang-up a moment later.
    await new Promise((r) => setTimeout(r, 200));
    expect(endpoint.state()).toMatchObject({ breaker: 'closed', instances: [{ healthy: true }] });
    const next = await fetch(`${gatewayUrl}/api/orders/quick`);
    expect(next.status).toBe(200);
  });

  it('keeps the breaker closed when clients hang up halfway through sending a body', async () => {
    const { port } = new URL(gatewayUrl);
    // Each client promises 100 kB, sends 10 kB, and goes, with a FIN or a reset: the gateway
    // is then mid-upload to the module, and the upload fails as the client's answer is cut short.
    const hangUpMidUpload = (reset: boolean) =>
      new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write('POST /api/orders/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n');
          socket.write(Buffer.alloc(10_000, 'a'), () => setTimeout(() => (reset ? socket.resetAndDestroy() : socket.destroy()), 20));
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
    for (let i = 0; i < 6; i++) await hangUpMidUpload(i % 2 === 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(endpoint.state()).toMatchObject({ breaker: 'closed', instances: [{ healthy: true }] });
    const next = await fetch(`${gatewayUrl}/api/orders/quick`);
    expect(next.status).toBe(200);
  });

  it('passes method, query, headers and body on, and the answer back with its status and every Set-Cookie', async () => {
    const res = await fetch(`${gatewayUrl}/api/orders/echo?page=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-custom': 'kept' },
      body: JSON.stringify({ items: [1, 2, 3] }),
    });
    expect(res.status).toBe(201);
    expect(res.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(await res.json()).toEqual({
      method: 'POST',
      url: '/api/orders/echo?page=2',
      body: '{"items":[1,2,3]}',
      custom: 'kept',
      requestId: 'req-forward-test',
    });
  });

  it('passes on a body of no declared length', async () => {
    const parts = ['{"streamed":', 'true}'];
    const body = new ReadableStream({
      start(controller) {
        for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
        controller.close();
      },
    });
    const res = await fetch(`${gatewayUrl}/api/orders/echo`, { method: 'PUT', body, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ method: 'PUT', body: '{"streamed":true}' });
  });

  it('streams a reply too large to read whole, and one of no declared length, byte for byte', async () => {
    const big = await fetch(`${gatewayUrl}/api/orders/big`);
    expect(big.headers.get('content-length')).toBe(String(BIG.length));
    expect(Buffer.from(await big.arrayBuffer()).equals(BIG)).toBe(true);
    const chunked = await fetch(`${gatewayUrl}/api/orders/chunked`);
    expect(await chunked.text()).toBe('one,two,three');
  });
});
