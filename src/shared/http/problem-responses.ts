import { z } from '@hono/zod-openapi';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/**
 * problems documents error responses for a route in the OpenAPI document.
 *
 * @example responses: { 200: ok(Product, 'The product'), ...problems({ 404: 'No such product' }) }
 */
export function problems(byStatus: Record<number, string>) {
  return Object.fromEntries(
    Object.entries(byStatus).map(([status, description]) => [
      status,
      { description, content: { 'application/problem+json': { schema: ProblemSchema } } },
    ]),
  );
}

/** json documents a JSON response body. */
export function json<S extends z.ZodType>(schema: S, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

/** jsonBody documents and validates a JSON request body. */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return { body: { required: true, content: { 'application/json': { schema } } } } as const;
}

export const bearer = [{ bearerAuth: [] }];

/**
 * named registers a contract schema as an OpenAPI component. Zod 4 gives each schema its
 * methods when it is built, so a contract schema built before @hono/zod-openapi loaded
 * has no `.openapi()`; rebuilding the object here works whatever the import order.
 *
 * @example const ProductOut = named(Product, 'Product')
 */
export function named<S extends z.ZodObject>(schema: S, name: string): S {
  return z.object(schema.shape).openapi(name) as unknown as S;
}
