import { createRoute, z } from '@hono/zod-openapi';
import { type TokenVerifier, requireUser } from '../../shared/http/auth.js';
import { createRouter } from '../../shared/http/create-router.js';
import { bearer, json, jsonBody, named, problems } from '../../shared/http/problem-responses.js';
import { Order } from './contract.js';
import type { OrdersService } from './orders.service.js';
import { toOrder } from './orders.service.js';
import type { PlaceOrderSaga } from './place-order.saga.js';

const OrderOut = named(Order, 'Order');
const NewOrder = z.object({
  items: z
    .array(z.object({ productId: z.string().min(1).max(64), quantity: z.number().int().min(1).max(10_000) }))
    .min(1, 'an order needs at least one item')
    .max(100),
  paymentToken: z.string().min(1).max(200),
});
const IdempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(255).optional().openapi({ param: { name: 'idempotency-key', in: 'header' }, description: 'Makes a retried order safe: same key and body, same order' }),
});
const IdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });

/** ordersRoutes is orders' public API; every route needs a signed-in user. */
export function ordersRoutes(service: OrdersService, saga: PlaceOrderSaga, verifier: TokenVerifier) {
  const router = createRouter();
  const signedIn = [requireUser(verifier)];

  router.openapi(
    createRoute({
      method: 'post',
      path: '/',
      summary: 'Place an order: reserve stock, charge the card, commit',
      security: bearer,
      middleware: signedIn,
      request: { headers: IdempotencyHeader, ...jsonBody(NewOrder) },
      responses: {
        201: json(OrderOut, 'The paid order'),
        ...problems({
          400: 'Invalid order',
          401: 'Not signed in',
          402: 'Payment declined; the order is kept as payment_failed',
          404: 'Unknown product',
          409: 'Out of stock, or the same Idempotency-Key is still in progress',
          422: 'Idempotency-Key reused with a different body',
          503: 'Payment failed or its outcome is unknown; retry later',
        }),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const order = await saga.place({
        userId: c.var.user.id,
        items: body.items,
        paymentToken: body.paymentToken,
        idempotencyKey: c.req.valid('header')['idempotency-key'],
      });
      return c.json(toOrder(order), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/',
      summary: "The caller's orders (every order for an admin), newest first",
      security: bearer,
      middleware: signedIn,
      responses: { 200: json(z.object({ items: z.array(OrderOut) }), 'Orders'), ...problems({ 401: 'Not signed in' }) },
    }),
    async (c) => c.json({ items: await service.listFor(c.var.user) }, 200),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/{id}',
      security: bearer,
      middleware: signedIn,
      request: { params: IdParam },
      responses: { 200: json(OrderOut, 'The order'), ...problems({ 401: 'Not signed in', 404: 'No such order of yours' }) },
    }),
    async (c) => c.json(await service.visibleTo(c.var.user, c.req.valid('param').id), 200),
  );

  return router;
}
