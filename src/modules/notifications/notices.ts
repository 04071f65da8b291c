import { newId } from '../../shared/db/new-id.js';
import type { EventPayload } from '../../shared/contract/define-event.js';
import type { Queryable } from '../../shared/db/module-db.js';
import type { identityContract } from '../identity/contract.js';
import type { ordersContract } from '../orders/contract.js';
import type { NotificationsRepository } from './notifications.repository.js';

type UserRegistered = EventPayload<typeof identityContract.events.UserRegistered>;
type OrderPaid = EventPayload<typeof ordersContract.events.OrderPaid>;

const money = (cents: number, currency: string) => `${(cents / 100).toFixed(2)} ${currency}`;

/**
 * Notices turns other modules' events into notifications. Each is written in the
 * inbox's transaction and keyed by what it is about, so it exists once.
 */
export class Notices {
  constructor(private readonly repo: NotificationsRepository) {}

  /** welcome greets a new customer. */
  async welcome(q: Queryable, user: UserRegistered): Promise<void> {
    await this.repo.insertOnce(q, {
      id: newId(),
      userId: user.userId,
      kind: 'welcome',
      subject: `Welcome, ${user.name}`,
      body: `Your account ${user.email} is ready. Happy shopping!`,
      dedupeKey: `welcome:${user.userId}`,
      createdAt: Date.now(),
    });
  }

  /** orderPaid tells the customer their order is paid, naming it. */
  async orderPaid(q: Queryable, order: OrderPaid): Promise<void> {
    await this.repo.insertOnce(q, {
      id: newId(),
      userId: order.userId,
      kind: 'order_paid',
      subject: `Order ${order.orderId} is paid`,
      body: `Thank you! We received ${money(order.totalCents, order.currency)} for order ${order.orderId}.`,
      dedupeKey: `order_paid:${order.orderId}`,
      createdAt: Date.now(),
    });
  }
}
