import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
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

// Clients hang up all the time (a closed tab, a load generator stopping). That says
// nothing about the module behind the gateway, so it must not open its breaker.
describe('a gateway forwarding to a module, when clients hang up', () => {
  let module: Server;
  let gateway: ReturnType<typeof serve>;
  let endpoint: RemoteEndpoint;
  let gatewayUrl = '';

  beforeAll(async () => {
    // The module: slow on /slow, quick on everything else.
    module = createServer((req, res) => {
      const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      if (req.url === '/api/orders/slow') setTimeout(answer, 2_000).unref();
      else answer();
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
});
