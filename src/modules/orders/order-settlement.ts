import type { Outbox } from '../../shared/events/outbox.js';
import { ordersContract } from './contract.js';
import type { OrderRow, OrdersRepository } from './orders.repository.js';

type Failed = 'payment_failed' | 'rejected';

/**
 * OrderSettlement moves an order out of `pending`, once, and publishes what became of
 * it in the same transaction: OrderPaid or OrderFailed. The saga and the reconciler
 * both settle through it, so whichever comes first wins and the event is written once.
 */
export class OrderSettlement {
  constructor(
    private readonly repo: OrdersRepository,
    private readonly outbox: Outbox,
  ) {}

  /** paid settles the order as paid; false if it was already settled. */
  paid(order: Pick<OrderRow, 'id' | 'userId' | 'currency'>, totalCents: number): Promise<boolean> {
    return this.repo.db.tx(async (q) => {
      if (!(await this.repo.settle(q, order.id, 'paid'))) return false;
      const { userId, currency } = order;
      await this.outbox.publish(q, ordersContract.events.OrderPaid, { orderId: order.id, userId, totalCents, currency });
      return true;
    });
  }

  /** failed settles the order as failed, with the code and detail its buyer sees; false if it was already settled. */
  failed(order: Pick<OrderRow, 'id' | 'userId'>, status: Failed, code: string, detail: string): Promise<boolean> {
    return this.repo.db.tx(async (q) => {
      if (!(await this.repo.settle(q, order.id, status, { code, detail }))) return false;
      await this.outbox.publish(q, ordersContract.events.OrderFailed, { orderId: order.id, userId: order.userId, status, code, detail });
      return true;
    });
  }
}
