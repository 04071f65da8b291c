import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import fc from 'fast-check';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { fuzzRequest } from '../../../test/support/fuzz-arbitraries.js';
import type { AppEnv } from './app-env.js';
import { problemResponse } from './create-http-app.js';
import { createRouter } from './create-router.js';
import { refuseInvalid } from './validate-request.js';

const Order = z.object({ items: z.array(z.object({ productId: z.string().min(1), quantity: z.number().int().positive() })).min(1) });
const place = createRoute({
  method: 'post',
  path: '/{shop}',
  request: {
    params: z.object({ shop: z.string().max(8) }),
    query: z.object({ dry: z.enum(['yes', 'no']).optional() }),
    headers: z.object({ 'Idempotency-Key': z.string().min(8).optional() }),
    body: { content: { 'application/json': { schema: Order } }, required: true },
  },
  responses: { 200: { description: 'ok' } },
});
const note = createRoute({
  method: 'put',
  path: '/note',
  request: { body: { content: { 'application/json': { schema: z.object({ text: z.string().default('') }) } } } },
  responses: { 200: { description: 'ok' } },
});

// A check zod can only run asynchronously: the one layer falls back to safeParseAsync.
const lookup = createRoute({
  method: 'get',
  path: '/lookup',
  request: { query: z.object({ code: z.string().refine(async (code) => code === 'ok', 'Unknown code') }) },
  responses: { 200: { description: 'ok' } },
});

// A header schema that keeps undeclared headers is handed every header.
const trace = createRoute({
  method: 'get',
  path: '/trace',
  request: { headers: z.looseObject({ 'X-Trace': z.string().min(2) }) },
  responses: { 200: { description: 'ok' } },
});

/** The same routes, on Carve's router and on the library's own validators. */
function app(router: OpenAPIHono<AppEnv>) {
  router.openapi(lookup, (c) => c.json({ query: c.req.valid('query') }, 200));
  router.openapi(trace, (c) => c.json({ header: c.req.valid('header') }, 200));
  router.openapi(place, (c) => c.json({ param: c.req.valid('param'), query: c.req.valid('query'), header: c.req.valid('header'), json: c.req.valid('json') }, 200));
  router.openapi(note, (c) => c.json({ json: c.req.valid('json') }, 200));
  router.onError((err, c) => problemResponse(c, err));
  return router;
}
const carve = app(createRouter());
const library = app(new OpenAPIHono<AppEnv>({ defaultHook: refuseInvalid }));

/** listen serves a router on a port the OS picks, on loopback, as run-server.ts serves an app. */
function listen(router: OpenAPIHono<AppEnv>) {
  return new Promise<{ url: string; server: ReturnType<typeof serve> }>((resolve) => {
    const server = serve({ fetch: router.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve({ url: `http://127.0.0.1:${info.port}`, server }));
  });
}

const good = JSON.stringify({ items: [{ productId: 'p1', quantity: 2 }] });
const REQUESTS: [string, string, RequestInit][] = [
  ['a valid order', '/main?dry=yes', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'key-12345' }, body: good }],
  ['JSON with a charset', '/main', { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: good }],
  ['a body that breaks the schema', '/main', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items":[]}' }],
  ['malformed JSON', '/main', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items":' }],
  ['an undeclared media type', '/main', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: good }],
  ['a body with no media type', '/main', { method: 'POST', body: new TextEncoder().encode(good) }],
  ['no body at all', '/main', { method: 'POST' }],
  ['a path parameter too long', '/much-too-long', { method: 'POST', headers: { 'content-type': 'application/json' }, body: good }],
  ['a query value not allowed', '/main?dry=maybe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: good }],
  ['a header too short', '/main', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'short' }, body: good }],
  ['an optional body left out', '/note', { method: 'PUT' }],
  ['an optional body sent', '/note', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"text":"hi"}' }],
  ['an optional body of another type', '/note', { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'hi' }],
  ['a query an async check accepts', '/lookup?code=ok', { method: 'GET' }],
  ['a query an async check refuses', '/lookup?code=no', { method: 'GET' }],
  ['a header sent twice', '/main', { method: 'POST', headers: [['content-type', 'application/json'], ['Idempotency-Key', 'key-1'], ['idempotency-key', 'key-2']], body: good }],
  ['every header, to a schema that keeps them', '/trace', { method: 'GET', headers: { 'x-trace': 'abc', 'x-other': 'kept' } }],
  ['a header a schema that keeps them all refuses', '/trace', { method: 'GET', headers: { 'x-trace': 'a' } }],
];

describe("Carve's one-layer request validation", () => {
  it.each(REQUESTS)('answers %s as @hono/zod-openapi does', async (_, path, init) => {
    const [ours, theirs] = await Promise.all([carve.request(path, init), library.request(path, init)]);
    expect({ status: ours.status, body: await ours.json() }).toEqual({ status: theirs.status, body: await theirs.json() });
  });

  it.each([
    { name: 'place', method: 'POST', path: '/{shop}', example: { items: [{ productId: 'p1', quantity: 2 }] } },
    { name: 'note', method: 'PUT', path: '/note', example: { text: 'hi' } },
  ])('answers any generated request to $name as @hono/zod-openapi does', async (route) => {
    const target = { ...route, validAuth: [], badAuth: [], ids: ['main'] };
    const answer = async (r: OpenAPIHono<AppEnv>, req: { method: string; path: string; headers: Record<string, string>; body?: string | Uint8Array }) => {
      const res = await r.request(req.path, { method: req.method, headers: req.headers, body: req.body });
      return { status: res.status, body: await res.text() };
    };
    await fc.assert(
      fc.asyncProperty(fuzzRequest(target), async (req) => {
        expect(await answer(carve, req)).toEqual(await answer(library, req));
      }),
      { numRuns: 1_500 },
    );
  }, 60_000);

  it('hands the handler the parsed request, and refuses each bad part with the status users see', async () => {
    const statuses = await Promise.all(REQUESTS.map(async ([, path, init]) => (await carve.request(path, init)).status));
    expect(statuses).toEqual([200, 200, 400, 400, 415, 415, 400, 400, 400, 400, 200, 200, 415, 200, 400, 200, 200, 400]);
    const res = await carve.request(...(REQUESTS[0]!.slice(1) as [string, RequestInit]));
    expect(await res.json()).toEqual({
      param: { shop: 'main' },
      query: { dry: 'yes' },
      header: expect.objectContaining({ 'Idempotency-Key': 'key-12345' }),
      json: { items: [{ productId: 'p1', quantity: 2 }] },
    });
  });

  it('reads the headers a route declares as @hono/zod-openapi does behind a real Node server', async () => {
    const servers = await Promise.all([carve, library].map(listen));
    try {
      const answers = await Promise.all(
        servers.map(async ({ url }) => {
          const res = await fetch(`${url}/main`, { method: 'POST', headers: [['content-type', 'application/json'], ['IDEMPOTENCY-KEY', 'key-12345'], ['idempotency-key', 'key-67890'], ['x-other', 'x']], body: good });
          return { status: res.status, body: (await res.json()) as { header?: unknown } };
        }),
      );
      expect(answers[0]).toEqual(answers[1]);
      expect(answers[0]!.body.header).toEqual({ 'Idempotency-Key': 'key-12345, key-67890' });
    } finally {
      for (const { server } of servers) server.close();
    }
  });

  it('checks the whole request in one middleware, where the library adds one for each part', () => {
    const layers = (r: OpenAPIHono<AppEnv>) => r.routes.filter((route) => route.path === '/:shop').length;
    expect({ carve: layers(carve), library: layers(library) }).toEqual({ carve: 2, library: 6 });
  });

  it('documents the route in the OpenAPI document as the library does', () => {
    const doc = (r: OpenAPIHono<AppEnv>) => r.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
    expect(doc(carve)).toEqual(doc(library));
  });
});
