import type { Implementation } from '../../shared/contract/define-contract.js';
import { contractError } from '../../shared/contract/port-error.js';
import type { AuthUser } from '../../shared/http/app-env.js';
import { type Order, ordersContract } from './contract.js';
import type { OrderWithItems, OrdersRepository } from './orders.repository.js';

/** toOrder is an order as it crosses a port or the public API. */
export function toOrder(row: OrderWithItems): Order {
  return {
    id: row.id,
    userId: row.userId,
    status: row.status as Order['status'],
    totalCents: row.totalCents,
    currency: row.currency,
    items: row.items.map(({ productId, quantity, unitPriceCents }) => ({ productId, quantity, unitPriceCents })),
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** OrdersService answers questions about orders: for its port and for the public routes. */
export class OrdersService implements Implementation<typeof ordersContract> {
  constructor(private readonly repo: OrdersRepository) {}

  async getOrder({ id }: { id: string }): Promise<Order> {
    const row = await this.repo.db.read((q) => this.repo.find(q, id));
    if (!row) throw contractError(ordersContract, 'ORDER_NOT_FOUND', `No order ${id}`);
    return toOrder(row);
  }

  /** visibleTo returns an order only to its owner or an admin; anyone else learns nothing, not even that it exists. */
  async visibleTo(user: AuthUser, id: string): Promise<Order> {
    const row = await this.repo.db.read((q) => this.repo.find(q, id));
    if (!row || (row.userId !== user.id && user.role !== 'admin')) {
      throw contractError(ordersContract, 'ORDER_NOT_FOUND', `No order ${id}`);
    }
    return toOrder(row);
  }

  /** listFor returns the caller's own orders, or every order for an admin, newest first. */
  async listFor(user: AuthUser, limit = 100): Promise<Order[]> {
    const rows = await this.repo.db.read((q) => this.repo.list(q, user.role === 'admin' ? undefined : user.id, limit));
    return rows.map(toOrder);
  }
}
