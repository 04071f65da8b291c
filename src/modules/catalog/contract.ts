import { z } from 'zod';
import { defineContract, method } from '../../shared/contract/index.js';
import { Cents, Currency, Id, Timestamp } from '../../shared/schemas/common.js';

export const Product = z.object({
  id: Id,
  sku: z.string(),
  name: z.string(),
  priceCents: Cents,
  currency: Currency,
  /** Units available to buy now. */
  stock: z.number().int().min(0),
});
export type Product = z.output<typeof Product>;

export const ReserveItem = z.object({ productId: Id, quantity: z.number().int().min(1).max(10_000) });

export const Reservation = z.object({
  reservationId: Id,
  status: z.enum(['held', 'committed', 'released', 'expired']),
  items: z.array(z.object({ productId: Id, quantity: z.number().int().min(1), unitPriceCents: Cents })),
  totalCents: Cents,
  currency: Currency,
  expiresAt: Timestamp,
});
export type Reservation = z.output<typeof Reservation>;

/**
 * catalogContract: products and the stock held for orders. A reservation is keyed by an
 * id the caller chooses (orders uses the order id), which makes every step retry-safe.
 */
export const catalogContract = defineContract({
  name: 'catalog',
  version: 1,
  errors: {
    PRODUCT_NOT_FOUND: {
      status: 404,
      title: 'Product not found',
      data: z.object({ productId: z.string() }),
    },
    OUT_OF_STOCK: {
      status: 409,
      title: 'Out of stock',
      data: z.object({ productId: z.string(), requested: z.number().int(), available: z.number().int() }),
    },
    RESERVATION_NOT_FOUND: { status: 404, title: 'Reservation not found' },
    RESERVATION_EXPIRED: { status: 409, title: 'Reservation expired' },
    RESERVATION_CONFLICT: { status: 409, title: 'Reservation id reused with different items' },
  },
  methods: {
    getProduct: method({
      input: z.object({ id: Id }),
      output: Product,
      errors: ['PRODUCT_NOT_FOUND'],
      idempotent: true,
    }),
    reserve: method({
      summary: 'Hold stock at the current prices until commit, release or expiry',
      input: z.object({ reservationId: Id, items: z.array(ReserveItem).min(1).max(100) }),
      output: Reservation,
      errors: ['PRODUCT_NOT_FOUND', 'OUT_OF_STOCK', 'RESERVATION_CONFLICT'],
      idempotencyKey: 'reservationId',
    }),
    commit: method({
      summary: 'Turn held stock into sold stock',
      input: z.object({ reservationId: Id }),
      output: Reservation,
      errors: ['RESERVATION_NOT_FOUND', 'RESERVATION_EXPIRED'],
      idempotent: true,
    }),
    release: method({
      summary: 'Return held stock; releasing an unknown or settled reservation changes nothing',
      input: z.object({ reservationId: Id }),
      output: z.object({ reservationId: Id, released: z.boolean() }),
      idempotent: true,
    }),
  },
});
