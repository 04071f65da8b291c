import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitBody } from './body-limit.js';

// A real server on loopback: what the middleware decides depends on the headers Node's
// parser saw, and on @hono/node-server reading the body only when it is asked to.
const LIMIT = 1024;
let url = '';
let server: ReturnType<typeof serve>;

beforeAll(async () => {
  const app = new Hono();
  app.use(limitBody(LIMIT, (c) => c.text('too large', 413)));
  app.post('/echo', async (c) => c.text(await c.req.text()));
  app.get('/hello', (c) => c.text('hello'));
  server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A body sent in chunks with no Content-Length, as a streaming client sends it. */
function chunked(bytes: number) {
  const chunk = new TextEncoder().encode('x'.repeat(256));
  let sent = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      controller.enqueue(chunk.subarray(0, Math.min(chunk.length, bytes - sent)));
      sent += chunk.length;
    },
  });
  return { method: 'POST', body, duplex: 'half' } as RequestInit;
}

describe('limitBody', () => {
  it('passes a body within the limit to the handler whole', async () => {
    const body = 'y'.repeat(LIMIT);
    const res = await fetch(`${url}/echo`, { method: 'POST', body });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(body);
  });

  it('refuses a body whose Content-Length is over the limit', async () => {
    const res = await fetch(`${url}/echo`, { method: 'POST', body: 'y'.repeat(LIMIT + 1) });
    expect(res.status).toBe(413);
  });

  it('counts a chunked body as it arrives, refusing one over the limit', async () => {
    const res = await fetch(`${url}/echo`, chunked(LIMIT * 4));
    expect(res.status).toBe(413);
  });

  it('passes a chunked body within the limit to the handler whole', async () => {
    const res = await fetch(`${url}/echo`, chunked(600));
    expect(res.status).toBe(200);
    expect((await res.text()).length).toBe(600);
  });

  it('lets a request without a body through', async () => {
    const res = await fetch(`${url}/hello`);
    expect(await res.text()).toBe('hello');
  });
});

describe('limitBody on a web Request made in-process (no Content-Length)', () => {
  const app = new Hono();
  app.use(limitBody(LIMIT, (c) => c.text('too large', 413)));
  app.post('/echo', async (c) => c.text(await c.req.text()));

  it('counts the body, refusing one over the limit', async () => {
    expect((await app.request('/echo', { method: 'POST', body: 'y'.repeat(LIMIT + 1) })).status).toBe(413);
    expect((await app.request('/echo', { method: 'POST', body: 'y'.repeat(LIMIT) })).status).toBe(200);
  });
});
