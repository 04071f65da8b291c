import { createRoute, z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../shared/http/app-env.js';
import { type TokenVerifier, requireRole, requireUser } from '../../shared/http/auth.js';
import { createRouter } from '../../shared/http/create-router.js';
import { bearer, json, problems } from '../../shared/http/problem-responses.js';
import { Cents, Currency, Id, Timestamp } from '../../shared/schemas/common.js';
import { PaymentStatus } from './contract.js';
import type { PaymentRow } from './payments.repository.js';
import type { PaymentsService } from './payments.service.js';

const PaymentView = z
  .object({
    id: Id,
    orderId: Id,
    userId: Id,
    amountCents: Cents,
    currency: Currency,
    status: PaymentStatus,
    processorRef: z.string().nullable(),
    failureReason: z.string().nullable(),
    attempts: z.number().int(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi('PaymentRecord');

function toView(row: PaymentRow): z.output<typeof PaymentView> {
  return {
    ...row,
    status: row.status as z.output<typeof PaymentStatus>,
    createdAt: new Date(row.createdAt).toISOString(),
    updatedAt: new Date(row.updatedAt).toISOString(),
  };
}

/**
 * paymentsRoutes lets an admin look at payments, to answer "was I charged?" and to
 * find charges left pending by an unanswered processor.
 *
 * @example container.register(ROUTES, { useFactory: (c) => paymentsRoutes(service, c.resolve(TOKEN_VERIFIER)) })
 */
export function paymentsRoutes(service: PaymentsService, verifier: TokenVerifier): OpenAPIHono<AppEnv> {
  const list = createRoute({
    method: 'get',
    path: '/',
    summary: 'Payments, newest first, optionally for one order (admin only)',
    security: bearer,
    middleware: [requireUser(verifier), requireRole('admin')] as const,
    request: { query: z.object({ orderId: Id.optional() }) },
    responses: {
      200: json(z.object({ items: z.array(PaymentView) }), 'Up to 100 payments'),
      ...problems({ 400: 'Bad query', 401: 'No valid bearer token', 403: 'Not an admin' }),
    },
  });

  return createRouter().openapi(list, async (c) => {
    const { orderId } = c.req.valid('query');
    const rows = await service.listPayments({ orderId });
    return c.json({ items: rows.map(toView) }, 200);
  });
}
