import { z } from 'zod';
import { defineContract, method } from '../../shared/contract/index.js';
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
  methods: {
    getOrder: method({
      input: z.object({ id: Id }),
      output: Order,
      errors: ['ORDER_NOT_FOUND'],
      idempotent: true,
    }),
  },
});
