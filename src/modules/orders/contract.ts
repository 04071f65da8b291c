import { z } from 'zod';
import { defineContract, event, method } from '../../shared/contract/index.js';
import { Cents, Currency, Id, Timestamp } from '../../shared/schemas/common.js';

export const OrderStatus = z.enum(['pending', 'paid', 'payment_failed', 'rejected']);

export const Order = z.object({
  id: Id,
  userId: Id,
  status: OrderStatus,
  totalCents: Cents,
  currency: Currency,
  items: z.array(z.object({ productId: Id, quantity: z.number().int().min(1), unitPriceCents: Cents })),
  createdAt: Timestamp,
});
export type Order = z.output<typeof Order>;

/** ordersContract: what other modules may ask of orders. Placing an order is public HTTP only. */
export const ordersContract = defineContract({
  name: 'orders',
  version: 1,
  errors: {
    ORDER_NOT_FOUND: { status: 404, title: 'Order not found' },
  },
  events: {
    OrderPaid: event({
      version: 1,
      payload: z.object({ orderId: Id, userId: Id, totalCents: Cents, currency: Currency }),
      aggregate: 'orderId',
      summary: 'An order was paid and its stock sold',
    }),
    OrderFailed: event({
      version: 1,
      payload: z.object({
        orderId: Id,
        userId: Id,
        status: z.enum(['payment_failed', 'rejected']),
        code: z.string().min(1).max(100),
        detail: z.string().max(1000),
      }),
      aggregate: 'orderId',
      summary: 'An order ended without payment; its stock is released',
    }),
  },
  methods: {
    getOrder: method({
      input: z.object({ id: Id }),
      output: Order,
      errors: ['ORDER_NOT_FOUND'],
      idempotent: true,
    }),
  },
});
