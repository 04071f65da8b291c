import { z } from 'zod';
import { defineContract, event, method } from '../../shared/contract/index.js';
import { Cents, Currency, Id, Timestamp } from '../../shared/schemas/common.js';

export const PaymentStatus = z.enum(['succeeded', 'declined', 'failed', 'pending']);

export const Payment = z.object({
  id: Id,
  orderId: Id,
  amountCents: Cents,
  currency: Currency,
  /**
   * succeeded and declined are final. failed means the processor definitely took no
   * money (a transient fault); pending means the outcome is not yet known.
   */
  status: PaymentStatus,
  createdAt: Timestamp,
});
export type Payment = z.output<typeof Payment>;

/** paymentsContract: charging for an order, at most once per order id. */
export const paymentsContract = defineContract({
  name: 'payments',
  version: 1,
  errors: {
    PAYMENT_NOT_FOUND: { status: 404, title: 'Payment not found' },
    CHARGE_MISMATCH: {
      status: 409,
      title: 'Order already charged with a different amount',
      data: z.object({ orderId: z.string() }),
    },
  },
  events: {
    PaymentCaptured: event({
      version: 1,
      payload: z.object({ paymentId: Id, orderId: Id, userId: Id, amountCents: Cents, currency: Currency }),
      aggregate: 'orderId',
      summary: "The processor took the money for an order",
    }),
  },
  methods: {
    charge: method({
      summary: 'Charge for an order; the same order id never charges twice',
      input: z.object({
        orderId: Id,
        userId: Id,
        amountCents: Cents.min(1),
        currency: Currency,
        paymentToken: z.string().min(1).max(200),
      }),
      output: Payment,
      errors: ['CHARGE_MISMATCH'],
      idempotencyKey: 'orderId',
    }),
    getPayment: method({
      summary: "What happened to an order's charge: settles an unknown outcome",
      input: z.object({ orderId: Id }),
      output: Payment,
      errors: ['PAYMENT_NOT_FOUND'],
      idempotent: true,
    }),
  },
});
