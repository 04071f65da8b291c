import { createHash } from 'node:crypto';
import { newId } from '../../shared/db/new-id.js';
import type { Port } from '../../shared/contract/define-contract.js';
import { isContractError } from '../../shared/contract/port-error.js';
import { definitelyNotReached } from '../../shared/contract/port-unavailable.js';
import { isUniqueViolation } from '../../shared/db/unique-violation.js';
import type { Logger } from '../../shared/log/logger.js';
import { type Reservation, catalogContract } from '../catalog/contract.js';
import { type Payment, paymentsContract } from '../payments/contract.js';
import { idempotencyKeyReused, orderProblem, requestInProgress } from './order-problems.js';
import type { OrderSettlement } from './order-settlement.js';
import type { OrderWithItems, OrdersRepository } from './orders.repository.js';

export interface PlaceOrderInput {
  userId: string;
  items: { productId: string; quantity: number }[];
  paymentToken: string;
  idempotencyKey?: string;
}

export interface SagaPorts {
  catalog: Port<typeof catalogContract>;
  payments: Port<typeof paymentsContract>;
}

/** A pending order this old whose request died may be resumed by a replay: every step is idempotent. */
const RESUME_AFTER_MS = 30_000;

function mergeItems(items: PlaceOrderInput['items']) {
  const byId = new Map<string, number>();
  for (const { productId, quantity } of items) byId.set(productId, (byId.get(productId) ?? 0) + quantity);
  return [...byId].sort(([a], [b]) => (a < b ? -1 : 1)).map(([productId, quantity]) => ({ productId, quantity }));
}

/** pricedAs is the order as price() leaves it: at the catalog's prices and total. */
function pricedAs(order: OrderWithItems, reservation: Reservation): OrderWithItems {
  const priceOf = new Map(reservation.items.map((it) => [it.productId, it.unitPriceCents]));
  const items = order.items.map((it) => ({ ...it, unitPriceCents: priceOf.get(it.productId) ?? it.unitPriceCents }));
  return { ...order, totalCents: reservation.totalCents, items };
}

/** reserveRequest is what orders asks catalog to hold: each product and how many. */
const reserveRequest = (order: OrderWithItems) => order.items.map(({ productId, quantity }) => ({ productId, quantity }));

const requestHash = (input: PlaceOrderInput) =>
  createHash('sha256').update(JSON.stringify([input.items, input.paymentToken])).digest('hex');

/** What an order answers when no money was taken, by why. */
const PAYMENT_FAILURES = {
  declined: ['PAYMENT_DECLINED', 'The card was declined'],
  failed: ['PAYMENT_FAILED', 'The payment processor failed; no money was taken'],
  unreachable: ['UNAVAILABLE', 'Payments could not be reached; nothing was charged and the stock is released'],
} as const;

/**
 * PlaceOrderSaga runs the order flow across ports: create the order, reserve stock at
 * the catalog's prices, charge, then commit or release. Every step is keyed by the
 * order id, so a step repeated after a crash or a replay does nothing twice.
 */
export class PlaceOrderSaga {
  constructor(
    private readonly repo: OrdersRepository,
    private readonly ports: SagaPorts,
    private readonly settlement: OrderSettlement,
    private readonly currency: string,
    private readonly logger: Logger,
  ) {}

  /** place returns the paid order, or throws the problem that says why it is not paid. */
  async place(input: PlaceOrderInput): Promise<OrderWithItems> {
    const { order, replay } = await this.createOrFind(input);
    if (replay) {
      if (order.status !== 'pending') return this.outcome(order);
      if (Date.now() - order.createdAt < RESUME_AFTER_MS) throw requestInProgress(order.id);
    }
    return this.outcome(await this.run(order, input.paymentToken));
  }

  private async createOrFind(input: PlaceOrderInput): Promise<{ order: OrderWithItems; replay: boolean }> {
    const hash = requestHash(input);
    const findByKey = async () => {
      const found = await this.repo.db.read((q) => this.repo.findByKey(q, input.userId, input.idempotencyKey!));
      if (found && found.requestHash !== hash) throw idempotencyKeyReused();
      return found;
    };
    if (input.idempotencyKey) {
      const found = await findByKey();
      if (found) return { order: found, replay: true };
    }
    const now = Date.now();
    const id = newId();
    const row = {
      id,
      userId: input.userId,
      status: 'pending',
      totalCents: 0,
      currency: this.currency,
      idempotencyKey: input.idempotencyKey ?? null,
      requestHash: hash,
      failureCode: null,
      failureDetail: null,
      createdAt: now,
      updatedAt: now,
    };
    const items = mergeItems(input.items).map((it) => ({ ...it, orderId: id, unitPriceCents: 0 }));
    try {
      await this.repo.db.tx((q) => this.repo.insert(q, row, items));
    } catch (err) {
      // Two requests with one key raced: the loser answers as a replay of the winner.
      if (!input.idempotencyKey || !isUniqueViolation(err)) throw err;
      const found = await findByKey();
      if (!found) throw err;
      return { order: found, replay: true };
    }
    return { order: { ...row, items }, replay: false };
  }

  /** run takes a new order through the flow and returns it settled, or throws the problem that stopped it. */
  private async run(order: OrderWithItems, paymentToken: string): Promise<OrderWithItems> {
    const { catalog } = this.ports;
    const reservationId = order.id;
    let reservation: Awaited<ReturnType<typeof catalog.reserve>>;
    try {
      reservation = await catalog.reserve({ reservationId, items: reserveRequest(order) });
    } catch (err) {
      if (isContractError(err, catalogContract, 'OUT_OF_STOCK') || isContractError(err, catalogContract, 'PRODUCT_NOT_FOUND')) {
        await this.settlement.failed(order, 'rejected', err.code, err.detail);
        throw orderProblem(err.code, err.detail, order.id, err.data);
      }
      // Unless the call surely never arrived, a reservation may exist; releasing is idempotent, so undo and stop.
      if (!definitelyNotReached(err)) await this.release(order.id);
      await this.settlement.failed(order, 'rejected', 'ORDER_FAILED', 'The order could not reserve stock; nothing was charged');
      throw err;
    }
    await this.repo.db.tx((q) => this.repo.price(q, order.id, reservation.items, reservation.totalCents));

    const outcome = await this.charge(order, reservation.totalCents, paymentToken);
    if (outcome === 'succeeded') return this.complete(pricedAs(order, reservation), reservation.totalCents);
    if (outcome === 'unknown') {
      // Money may have moved: keep the order pending and the stock held; never retry blind.
      throw orderProblem('PAYMENT_OUTCOME_UNKNOWN', 'The payment outcome is not known yet; the order stays pending', order.id);
    }
    await this.release(order.id);
    const [code, detail] = PAYMENT_FAILURES[outcome];
    await this.settlement.failed(order, 'payment_failed', code, detail);
    throw orderProblem(code, detail, order.id);
  }

  /** charge asks payments to charge; if the call fails, it asks payments what happened instead of retrying. */
  private async charge(
    order: OrderWithItems,
    amountCents: number,
    paymentToken: string,
  ): Promise<'succeeded' | 'declined' | 'failed' | 'unreachable' | 'unknown'> {
    const { payments } = this.ports;
    const request = { orderId: order.id, userId: order.userId, amountCents, currency: this.currency, paymentToken };
    let payment: Payment;
    try {
      payment = await payments.charge(request);
    } catch (err) {
      // A call that surely never reached payments took no money: fail now and free the stock.
      if (definitelyNotReached(err)) return 'unreachable';
      this.logger.warn({ err, orderId: order.id }, 'charge failed; settling by asking payments');
      try {
        payment = await payments.getPayment({ orderId: order.id });
      } catch (lookup) {
        // No payment row means the charge never began, so no money can have moved.
        if (isContractError(lookup, paymentsContract, 'PAYMENT_NOT_FOUND')) return 'failed';
        this.logger.error({ err: lookup, orderId: order.id }, 'payment outcome unknown');
        return 'unknown';
      }
    }
    return payment.status === 'pending' ? 'unknown' : payment.status;
  }

  /**
   * settle finishes an order whose flow stopped, from what payments says happened:
   * paid if the charge succeeded, failed with its stock released if it did not or never
   * began. While payments cannot say, the order waits for the next round.
   */
  async settle(order: OrderWithItems): Promise<'paid' | 'failed' | 'waiting'> {
    let payment: Payment;
    try {
      payment = await this.ports.payments.getPayment({ orderId: order.id });
    } catch (err) {
      if (!isContractError(err, paymentsContract, 'PAYMENT_NOT_FOUND')) {
        this.logger.warn({ err, orderId: order.id }, 'cannot settle the order yet: payments did not answer');
        return 'waiting';
      }
      await this.release(order.id);
      await this.settlement.failed(order, 'payment_failed', 'ORDER_FAILED', 'The order did not complete; nothing was charged and the stock is released');
      return 'failed';
    }
    if (payment.status === 'pending') return 'waiting';
    if (payment.status === 'succeeded') {
      await this.complete(order, payment.amountCents);
      return 'paid';
    }
    await this.release(order.id);
    const [code, detail] = PAYMENT_FAILURES[payment.status];
    await this.settlement.failed(order, 'payment_failed', code, detail);
    return 'failed';
  }

  /**
   * complete sells the held stock and settles the order paid; OrderPaid goes out with that
   * commit. It returns the order as settled, read back only when someone else settled it first.
   */
  private async complete(order: OrderWithItems, totalCents: number): Promise<OrderWithItems> {
    await this.commitStock(order);
    if (await this.settlement.paid(order, totalCents)) return { ...order, status: 'paid' };
    // Settled first by someone else: fine if paid, but a charge landing on an order the reconciler failed needs a refund.
    const now = (await this.repo.db.read((q) => this.repo.find(q, order.id)))!;
    if (now.status !== 'paid') this.logger.error({ orderId: order.id, status: now.status }, 'charged, but the order was already settled as failed; needs a refund');
    return now;
  }

  /**
   * commitStock turns the held stock into sold stock. If the hold lapsed while the charge
   * was slow, it takes the stock again (reserve re-holds an expired reservation) and
   * commits. If the stock is gone, the money is taken but the goods are not: the order
   * stays pending for a person, or part 3's reconciler, to settle.
   */
  private async commitStock(order: OrderWithItems): Promise<void> {
    const { catalog } = this.ports;
    const reservationId = order.id;
    try {
      await catalog.commit({ reservationId });
    } catch (err) {
      if (!isContractError(err, catalogContract, 'RESERVATION_EXPIRED')) throw err;
      try {
        await catalog.reserve({ reservationId, items: reserveRequest(order) });
        await catalog.commit({ reservationId });
      } catch (again) {
        this.logger.error({ err: again, orderId: order.id }, 'order paid but its stock lapsed and is gone; needs a refund');
        throw orderProblem('ORDER_FAILED', 'The payment was taken but the stock is no longer held; the order will be settled', order.id);
      }
    }
  }

  /** release frees the order's held stock. If catalog cannot be reached the hold still lapses at its TTL. */
  private async release(orderId: string): Promise<void> {
    await this.ports.catalog
      .release({ reservationId: orderId })
      .catch((err) => this.logger.warn({ err, orderId }, 'release failed; the hold will lapse at its TTL'));
  }

  private outcome(order: OrderWithItems): OrderWithItems {
    if (order.status === 'paid') return order;
    if (order.status === 'pending') {
      throw orderProblem('PAYMENT_OUTCOME_UNKNOWN', 'The payment outcome is not known yet; the order stays pending', order.id);
    }
    throw orderProblem(order.failureCode ?? 'ORDER_FAILED', order.failureDetail ?? 'The order failed', order.id);
  }
}
