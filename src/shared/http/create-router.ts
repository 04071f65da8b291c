import { OpenAPIHono } from '@hono/zod-openapi';
import { fieldErrors } from '../errors/problem-json.js';
import { validationFailed } from '../errors/http-problem.js';
import type { AppEnv } from './app-env.js';

/**
 * createRouter makes a module's router. Request validation failures become a 400
 * problem listing each failed field, the same for every module.
 *
 * @example const routes = createRouter(); routes.openapi(getProductRoute, handler)
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationFailed(fieldErrors(result.error));
    },
  });
}
