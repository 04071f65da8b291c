import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import type { ModuleDb, Queryable } from '../../shared/db/module-db.js';
import { type OrdersTables, ordersTables } from './orders.tables.js';

export type OrderRow = OrdersTables['orders']['$inferSelect'];
export type OrderItemRow = OrdersTables['orderItems']['$inferSelect'];
export type OrderWithItems = OrderRow & { items: OrderItemRow[] };
export type OrderState = 'pending' | 'paid' | 'payment_failed' | 'rejected';

/** OrdersRepository is orders' SQL, written once for SQLite and Postgres. */
export class OrdersRepository {
  readonly t: OrdersTables;
  constructor(readonly db: ModuleDb) {
    this.t = ordersTables(db.dialect);
  }

  async insert(q: Queryable, row: OrderRow, items: OrderItemRow[]): Promise<void> {
    await q.insert(this.t.orders).values(row);
    await q.insert(this.t.orderItems).values(items);
  }

  async find(q: Queryable, id: string): Promise<OrderWithItems | undefined> {
    const [row] = await q.select().from(this.t.orders).where(eq(this.t.orders.id, id));
    return row ? (await this.withItems(q, [row]))[0] : undefined;
  }

  async findByKey(q: Queryable, userId: string, key: string): Promise<OrderWithItems | undefined> {
    const o = this.t.orders;
    const [row] = await q.select().from(o).where(and(eq(o.userId, userId), eq(o.idempotencyKey, key)));
    return row ? (await this.withItems(q, [row]))[0] : undefined;
  }

  /** list returns the newest orders first: one user's, or everyone's when userId is absent. */
  async list(q: Queryable, userId: string | undefined, limit: number): Promise<OrderWithItems[]> {
    const o = this.t.orders;
    const rows = await q
      .select()
      .from(o)
      .where(userId ? eq(o.userId, userId) : undefined)
      .orderBy(desc(o.createdAt), desc(o.id))
      .limit(limit);
    return this.withItems(q, rows);
  }

  /** listPendingBefore is the oldest orders still pending that were created before `before`. */
  async listPendingBefore(q: Queryable, before: number, limit: number): Promise<OrderWithItems[]> {
    const o = this.t.orders;
    const rows = await q
      .select()
      .from(o)
      .where(and(eq(o.status, 'pending'), lt(o.createdAt, before)))
      .orderBy(asc(o.createdAt))
      .limit(limit);
    return this.withItems(q, rows);
  }

  /** price records the prices the catalog reserved at; the client's prices are never used. */
  async price(q: Queryable, id: string, items: Omit<OrderItemRow, 'orderId'>[], totalCents: number): Promise<void> {
    const i = this.t.orderItems;
    for (const item of items) {
      await q
        .update(i)
        .set({ unitPriceCents: item.unitPriceCents })
        .where(and(eq(i.orderId, id), eq(i.productId, item.productId)));
    }
    await q.update(this.t.orders).set({ totalCents, updatedAt: Date.now() }).where(eq(this.t.orders.id, id));
  }

  /** settle moves an order out of `pending` once; a second settler changes nothing. */
  settle(
    q: Queryable,
    id: string,
    to: Exclude<OrderState, 'pending'>,
    failure?: { code: string; detail: string },
  ): Promise<boolean> {
    const o = this.t.orders;
    return q
      .update(o)
      .set({ status: to, failureCode: failure?.code ?? null, failureDetail: failure?.detail ?? null, updatedAt: Date.now() })
      .where(and(eq(o.id, id), eq(o.status, 'pending')))
      .returning({ id: o.id })
      .then((rows) => rows.length === 1);
  }

  private async withItems(q: Queryable, rows: OrderRow[]): Promise<OrderWithItems[]> {
    if (rows.length === 0) return [];
    const i = this.t.orderItems;
    const items = await q
      .select()
      .from(i)
      .where(
        inArray(
          i.orderId,
          rows.map((r) => r.id),
        ),
      )
      .orderBy(asc(i.productId));
    return rows.map((row) => ({ ...row, items: items.filter((it) => it.orderId === row.id) }));
  }
}
