import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HttpProblem, notFound } from '../errors/http-problem.js';
import { PROBLEM_CONTENT_TYPE, renderProblem } from '../errors/problem-json.js';
import type { Logger } from '../log/logger.js';
import { mountApiDocs } from './api-docs.js';
import type { AppEnv } from './app-env.js';

export interface ModuleReadiness {
  name: string;
  mode: 'in-process' | 'remote';
  ok: boolean;
  database?: { dialect: string; location: string; ok: boolean; error?: string };
}

export interface HttpAppOptions {
  title: string;
  version: string;
  bodyLimit: number;
  logger: Logger;
  /** Each module's public router, mounted at /api/<module>. */
  routes: { module: string; router: OpenAPIHono<AppEnv> }[];
  readiness: () => Promise<ModuleReadiness[]>;
}

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

  // Keeps a well-formed X-Request-Id from the client (so one id follows a request across
  // processes) and makes one up otherwise.
  app.use(requestId({ headerName: 'X-Request-Id', limitLength: 128 }));
  app.use(async function logRequest(c, next) {
    const log = opts.logger.child({ requestId: c.var.requestId });
    c.set('logger', log);
    const started = performance.now();
    await next();
    log.info(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: +(performance.now() - started).toFixed(2) },
      'request',
    );
  });
  app.use(secureHeaders());
  app.use(
    bodyLimit({
      maxSize: opts.bodyLimit,
      onError: (c) =>
        problemResponse(
          c,
          new HttpProblem(413, 'PAYLOAD_TOO_LARGE', 'Payload too large', `The body is over ${opts.bodyLimit} bytes`),
        ),
    }),
  );

  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/ready', async (c) => {
    const modules = await opts.readiness();
    const ok = modules.every((m) => m.ok);
    return c.json({ status: ok ? 'ready' : 'not_ready', modules }, ok ? 200 : 503);
  });

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
  app.doc31('/openapi.json', { openapi: '3.1.0', info: { title: opts.title, version: opts.version } });
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
