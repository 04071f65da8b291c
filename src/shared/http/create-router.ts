import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './app-env.js';
import { refuseInvalid, validateRequest, validatesInOneLayer } from './validate-request.js';

/**
 * createRouter makes a module's router. Request validation failures become a 400
 * problem listing each failed field, the same for every module. A route's request is
 * checked in one middleware of Carve's own (validate-request.ts) rather than the
 * library's layer per part, unless the route brings its own hook or a body that is not
 * JSON; the route is documented in /openapi.json either way.
 *
 * @example const routes = createRouter(); routes.openapi(getProductRoute, handler)
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  const router = new OpenAPIHono<AppEnv>({ defaultHook: refuseInvalid });
  const throughLibrary = router.openapi;
  router.openapi = ((config, handler, hook) => {
    if (hook || !validatesInOneLayer(config)) return throughLibrary(config, handler, hook);
    const { middleware, hide, ...route } = config;
    if (!hide) router.openAPIRegistry.registerPath(route);
    const before = middleware === undefined ? [] : Array.isArray(middleware) ? middleware : [middleware];
    // The same path as the library registers: OpenAPI's {id} is Hono's :id.
    router.on([route.method], [route.path.replaceAll(/\/{(.+?)}/g, '/:$1')], ...before, validateRequest(route), handler as never);
    return router;
  }) as typeof router.openapi;
  return router;
}
