import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import { literalLimit } from '../../shared/db/literal-limit.js';
import type { ModuleDb, Queryable } from '../../shared/db/module-db.js';
import { p, prepared, v } from '../../shared/db/prepared.js';
import { type OrdersTables, ordersTables } from './orders.tables.js';

export type OrderRow = OrdersTables['orders']['$inferSelect'];
export type OrderItemRow = OrdersTables['orderItems']['$inferSelect'];
export type OrderWithItems = OrderRow & { items: OrderItemRow[] };
export type OrderState = 'pending' | 'paid' | 'payment_failed' | 'rejected';

/** orderQueries are the queries every order runs, built once per handle (see prepared). */
function orderQueries(t: OrdersTables) {
  const { orders: o, orderItems: i } = t;
  return {
    insert: prepared((q) =>
      q
        .insert(o)
        .values({
          id: p('id'),
          userId: p('userId'),
          status: p('status'),
          totalCents: p('totalCents'),
          currency: p('currency'),
          idempotencyKey: p('idempotencyKey'),
          requestHash: p('requestHash'),
          failureCode: p('failureCode'),
          failureDetail: p('failureDetail'),
          createdAt: p('createdAt'),
          updatedAt: p('updatedAt'),
        })
        .prepare('orders_insert'),
    ),
    insertItem: prepared((q) =>
      q
        .insert(i)
        .values({ orderId: p('orderId'), productId: p('productId'), quantity: p('quantity'), unitPriceCents: p('unitPriceCents') })
        .prepare('orders_insert_item'),
    ),
    byId: prepared<OrderRow[]>((q) => q.select().from(o).where(eq(o.id, p('id'))).prepare('orders_by_id')),
    itemsOf: prepared<OrderItemRow[]>((q) => q.select().from(i).where(eq(i.orderId, p('orderId'))).orderBy(asc(i.productId)).prepare('orders_items_of')),
    priceItem: prepared((q) =>
      q
        .update(i)
        .set({ unitPriceCents: v('unitPriceCents') })
        .where(and(eq(i.orderId, p('orderId')), eq(i.productId, p('productId'))))
        .prepare('orders_price_item'),
    ),
    total: prepared((q) => q.update(o).set({ totalCents: v('totalCents'), updatedAt: v('updatedAt') }).where(eq(o.id, p('id'))).prepare('orders_total')),
    settle: prepared<{ id: string }[]>((q) =>
      q
        .update(o)
        .set({ status: v('status'), failureCode: v('failureCode'), failureDetail: v('failureDetail'), updatedAt: v('updatedAt') })
        .where(and(eq(o.id, p('id')), eq(o.status, 'pending')))
        .returning({ id: o.id })
        .prepare('orders_settle'),
    ),
  };
}

/** OrdersRepository is orders' SQL, written once for SQLite and Postgres. */
export class OrdersRepository {
  readonly t: OrdersTables;
  private readonly q: ReturnType<typeof orderQueries>;
  constructor(readonly db: ModuleDb) {
    this.t = ordersTables(db.dialect);
    this.q = orderQueries(this.t);
  }


  async insert(q: Queryable, row: OrderRow, items: OrderItemRow[]): Promise<void> {
    // Issued together, in order: on Postgres they leave in one round trip, not one each.
    await Promise.all([this.q.insert(q, row), ...items.map((item) => this.q.insertItem(q, item))]);
  }

  async find(q: Queryable, id: string): Promise<OrderWithItems | undefined> {
    const [row] = await this.q.byId(q, { id });
    return row ? { ...row, items: await this.q.itemsOf(q, { orderId: id }) } : undefined;
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
      .limit(literalLimit(limit));
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
      .limit(literalLimit(limit));
    return this.withItems(q, rows);
  }

  /** price records the prices the catalog reserved at; the client's prices are never used. */
  async price(q: Queryable, id: string, items: Omit<OrderItemRow, 'orderId'>[], totalCents: number): Promise<void> {
    // Issued together, in order: on Postgres they leave in one round trip, not one each.
    await Promise.all([
      ...items.map((item) => this.q.priceItem(q, { orderId: id, productId: item.productId, unitPriceCents: item.unitPriceCents })),
      this.q.total(q, { id, totalCents, updatedAt: Date.now() }),
    ]);
  }

  /** settle moves an order out of `pending` once; a second settler changes nothing. */
  settle(
    q: Queryable,
    id: string,
    to: Exclude<OrderState, 'pending'>,
    failure?: { code: string; detail: string },
  ): Promise<boolean> {
    return this.q
      .settle(q, { id, status: to, failureCode: failure?.code ?? null, failureDetail: failure?.detail ?? null, updatedAt: Date.now() })
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
