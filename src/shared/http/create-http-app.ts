import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, Hono, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HttpProblem, notFound } from '../errors/http-problem.js';
import { PROBLEM_CONTENT_TYPE, renderProblem } from '../errors/problem-json.js';
import type { Logger } from '../log/logger.js';
import { mountApiDocs } from './api-docs.js';
import { limitBody } from './body-limit.js';
import { type OpenApiDoc, mergeOpenApi } from './merge-openapi.js';
import type { AppEnv } from './app-env.js';
import type { CarveMetrics } from '../observe/metrics.js';
import { observeRequests } from '../observe/observe-requests.js';

export interface ModuleReadiness {
  name: string;
  /** in-process; remote (another process); loopback (here, but every call goes over HTTP). */
  mode: 'in-process' | 'remote' | 'loopback';
  ok: boolean;
  database?: { dialect: string; location: string; ok: boolean; error?: string };
  breaker?: string;
  instances?: { url: string; healthy: boolean; ejectedForMs?: number }[];
}

export interface HttpAppOptions {
  title: string;
  version: string;
  bodyLimit: number;
  logger: Logger;
  /** Each module's public router, mounted at /api/<module>. */
  routes: { module: string; router: OpenAPIHono<AppEnv> }[];
  readiness: () => Promise<{ ready: boolean; modules: ModuleReadiness[] }>;
  /** Internal RPC for the hosted modules, mounted at /_rpc and kept out of the public docs. */
  rpc?: Hono<AppEnv>;
  /** Events pushed by other processes' outbox relays, mounted at /_events and kept out of the public docs. */
  events?: Hono<AppEnv>;
  /** Public routes of modules hosted elsewhere, answered by passing the request on. */
  forwards?: { module: string; handler: MiddlewareHandler<AppEnv>; openApi: () => Promise<OpenApiDoc | undefined> }[];
  /** The process's metrics, served at GET /metrics; HTTP requests are timed into them. */
  metrics?: CarveMetrics;
  /** The live topology page and its data, mounted at /_carve. */
  admin?: Hono<AppEnv>;
}

/** Calls between Carve processes: ports and pushed events. */
const INTERNAL_PATH = /^\/_(rpc|events)\//;

/** problemResponse writes an error as application/problem+json. */
export function problemResponse(c: Context, err: unknown, rendered = renderProblem(err, c.get('requestId'))): Response {
  const { body, headers } = rendered;
  return c.body(JSON.stringify(body), body.status as ContentfulStatusCode, {
    ...headers,
    'content-type': PROBLEM_CONTENT_TYPE,
  });
}

/**
 * createHttpApp assembles the process's HTTP surface: the modules' public routes and
 * the ops endpoints, with one request id, one log line and one error format for all.
 *
 * @example const app = createHttpApp({ title: 'Carve', routes, readiness, logger, bodyLimit: 1 << 20, version })
 */
export function createHttpApp(opts: HttpAppOptions): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();

  // First, so everything the request does, its log lines included, runs inside its span
  // and names its id. It continues the trace of a W3C traceparent, from a client or another
  // Carve process, and keeps a well-formed X-Request-Id, so one id follows a request across processes.
  app.use(observeRequests({ logger: opts.logger, internalPaths: INTERNAL_PATH, timings: opts.metrics?.httpRequests }));

  const limit = limitBody(opts.bodyLimit, (c) => {
    // The rest of the body is never read, so the connection cannot carry another request.
    c.header('connection', 'close');
    return problemResponse(c, new HttpProblem(413, 'PAYLOAD_TOO_LARGE', 'Payload too large', `The body is over ${opts.bodyLimit} bytes`));
  });
  // Browser protections for what a browser may load; calls between processes carry JSON no
  // browser renders, and the headers cost about 10 µs a call there. One middleware with
  // the body limit, not two: with async context on, each layer costs a request two promises.
  const browserHeaders = secureHeaders();
  app.use((c, next) =>
    INTERNAL_PATH.test(c.req.path)
      ? limit(c, next)
      : browserHeaders(c, async () => {
          // Called by secureHeaders rather than by Hono, so the limit's own answer must be set to be kept.
          const answer = await limit(c, next);
          if (answer instanceof Response) c.res = answer;
        }),
  );

  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/ready', async (c) => {
    const { ready, modules } = await opts.readiness();
    return c.json({ status: ready ? 'ready' : 'not_ready', modules }, ready ? 200 : 503);
  });

  // Open, like /health: a Prometheus server scrapes it without credentials. It holds counts and timings, no data.
  const registry = opts.metrics?.registry;
  if (registry) app.get('/metrics', async (c) => c.text(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  if (opts.admin) app.route('/_carve', opts.admin);
  if (opts.rpc) app.route('/_rpc', opts.rpc);
  if (opts.events) app.route('/_events', opts.events);
  for (const { module, handler } of opts.forwards ?? []) {
    app.all(`/api/${module}`, handler);
    app.all(`/api/${module}/*`, handler);
  }

  for (const { module, router } of opts.routes) {
    // Group each module's operations under its name in /docs.
    for (const def of router.openAPIRegistry.definitions) if (def.type === 'route') def.route.tags ??= [module];
    app.route(`/api/${module}`, router);
  }

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  app.get('/openapi.json', async (c) => {
    const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: opts.title, version: opts.version } }) as unknown as OpenApiDoc;
    // A module hosted elsewhere documents its own routes; one that cannot answer now is left out.
    const forwards = c.req.query('scope') === 'hosted' ? [] : (opts.forwards ?? []);
    const remote = await Promise.all(forwards.map(async (f) => ({ f, doc: await f.openApi().catch(() => undefined) })));
    for (const { f, doc: fragment } of remote) if (fragment) mergeOpenApi(doc, fragment, `/api/${f.module}`);
    return c.json(doc);
  });
  mountApiDocs(app, { title: `${opts.title} API`, specUrl: '/openapi.json' });

  app.notFound((c) => problemResponse(c, notFound(`No route for ${c.req.method} ${c.req.path}`)));
  app.onError((err, c) => {
    const rendered = renderProblem(err, c.get('requestId'));
    const log = c.get('logger') ?? opts.logger;
    if (rendered.unexpected) log.error({ err }, 'unhandled error');
    return problemResponse(c, err, rendered);
  });
  return app;
}
