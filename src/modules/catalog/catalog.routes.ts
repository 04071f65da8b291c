import { createRoute, z } from '@hono/zod-openapi';
import { validationFailed } from '../../shared/errors/http-problem.js';
import { type TokenVerifier, requireRole, requireUser } from '../../shared/http/auth.js';
import { createRouter } from '../../shared/http/create-router.js';
import { bearer, json, jsonBody, named, problems } from '../../shared/http/problem-responses.js';
import type { CatalogService } from './catalog.service.js';
import { Product } from './contract.js';

const ProductOut = named(Product, 'Product');
const IdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });
const NewProduct = z.object({
  sku: z.string().trim().min(1).max(64),
  name: z.string().trim().min(1).max(200),
  priceCents: z.number().int().min(0).max(100_000_000),
  stock: z.number().int().min(0).max(1_000_000_000),
});
const ProductChanges = NewProduct.omit({ sku: true })
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'give at least one of name, priceCents, stock');
const Search = z.object({
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

// The cursor is the last id of the previous page, kept opaque so its form can change.
const encodeCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!id || encodeCursor(id) !== cursor) throw validationFailed([{ path: 'cursor', message: 'Invalid cursor' }]);
  return id;
}

/** catalogRoutes is catalog's public API: browsing is open to all, changes are admin only. */
export function catalogRoutes(service: CatalogService, verifier: TokenVerifier) {
  const router = createRouter();
  const admin = [requireUser(verifier), requireRole('admin')];

  router.openapi(
    createRoute({
      method: 'get',
      path: '/products',
      summary: 'Search products by sku or name',
      request: { query: Search },
      responses: {
        200: json(z.object({ items: z.array(ProductOut), nextCursor: z.string().nullable() }), 'A page of products'),
        ...problems({ 400: 'Invalid query' }),
      },
    }),
    async (c) => {
      const { q, limit, cursor } = c.req.valid('query');
      const rows = await service.search({ text: q || undefined, after: cursor ? decodeCursor(cursor) : undefined, limit });
      const page = rows.slice(0, limit);
      const nextCursor = rows.length > limit ? encodeCursor(page[page.length - 1]!.id) : null;
      return c.json({ items: page, nextCursor }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/products/{id}',
      request: { params: IdParam },
      responses: { 200: json(ProductOut, 'The product'), ...problems({ 404: 'No such product' }) },
    }),
    async (c) => c.json(await service.getProduct({ id: c.req.valid('param').id }), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/products',
      security: bearer,
      middleware: admin,
      request: jsonBody(NewProduct),
      responses: {
        201: json(ProductOut, 'The new product'),
        ...problems({ 400: 'Invalid product', 401: 'Not signed in', 403: 'Not an admin', 409: 'SKU taken' }),
      },
    }),
    async (c) => c.json(await service.createProduct(c.req.valid('json')), 201),
  );

  router.openapi(
    createRoute({
      method: 'patch',
      path: '/products/{id}',
      security: bearer,
      middleware: admin,
      request: { params: IdParam, ...jsonBody(ProductChanges) },
      responses: {
        200: json(ProductOut, 'The changed product'),
        ...problems({ 400: 'Invalid change', 401: 'Not signed in', 403: 'Not an admin', 404: 'No such product' }),
      },
    }),
    async (c) => c.json(await service.updateProduct(c.req.valid('param').id, c.req.valid('json')), 200),
  );

  return router;
}
