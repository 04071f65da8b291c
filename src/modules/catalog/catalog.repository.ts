import { and, asc, eq, gt, gte, lt, or, sql } from 'drizzle-orm';
import { literalLimit } from '../../shared/db/literal-limit.js';
import type { ModuleDb, Queryable } from '../../shared/db/module-db.js';
import { p as at, prepared, v } from '../../shared/db/prepared.js';
import { type CatalogTables, catalogTables } from './catalog.tables.js';

export type ProductRow = CatalogTables['products']['$inferSelect'];
export type ReservationRow = CatalogTables['reservations']['$inferSelect'];
export type ReservationItemRow = CatalogTables['reservationItems']['$inferSelect'];
export type ReservationStatus = 'held' | 'committed' | 'released' | 'expired';

/** escapeLike makes user text match literally inside a LIKE pattern. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** catalogQueries are the queries every order runs, built once per handle (see prepared). */
function catalogQueries({ products: p, reservations: r, reservationItems: ri }: CatalogTables) {
  const quantity = sql.placeholder('quantity');
  const move = (name: string, set: Parameters<ReturnType<Queryable['update']>['set']>[0]) =>
    prepared((q) => q.update(p).set(set).where(eq(p.id, at('productId'))).prepare(name));
  return {
    hold: prepared<{ priceCents: number }[]>((q) =>
      q
        .update(p)
        .set({ available: sql`${p.available} - ${quantity}`, reserved: sql`${p.reserved} + ${quantity}`, updatedAt: v('updatedAt') })
        .where(and(eq(p.id, at('productId')), gte(p.available, quantity)))
        .returning({ priceCents: p.priceCents })
        .prepare('catalog_hold'),
    ),
    sell: move('catalog_sell', { sold: sql`${p.sold} + ${quantity}`, reserved: sql`${p.reserved} - ${quantity}`, updatedAt: v('updatedAt') }),
    unhold: move('catalog_unhold', { available: sql`${p.available} + ${quantity}`, reserved: sql`${p.reserved} - ${quantity}`, updatedAt: v('updatedAt') }),
    reservation: prepared<ReservationRow[]>((q) => q.select().from(r).where(eq(r.id, at('id'))).prepare('catalog_reservation')),
    reservationItems: prepared<ReservationItemRow[]>((q) =>
      q.select().from(ri).where(eq(ri.reservationId, at('id'))).orderBy(asc(ri.productId)).prepare('catalog_reservation_items'),
    ),
    insertReservation: prepared((q) =>
      q
        .insert(r)
        .values({ id: at('id'), status: at('status'), totalCents: at('totalCents'), expiresAt: at('expiresAt'), createdAt: at('createdAt'), updatedAt: at('updatedAt') })
        .prepare('catalog_insert_reservation'),
    ),
    insertReservationItem: prepared((q) =>
      q
        .insert(ri)
        .values({ reservationId: at('reservationId'), productId: at('productId'), quantity: at('quantity'), unitPriceCents: at('unitPriceCents') })
        .prepare('catalog_insert_reservation_item'),
    ),
    moveReservation: prepared<{ id: string }[]>((q) =>
      q
        .update(r)
        .set({ status: v('to'), updatedAt: v('updatedAt') })
        .where(and(eq(r.id, at('id')), eq(r.status, at('from'))))
        .returning({ id: r.id })
        .prepare('catalog_move_reservation'),
    ),
  };
}

/**
 * CatalogRepository is catalog's SQL, written once for SQLite and Postgres. Stock moves
 * only through conditional updates, so concurrent orders can never oversell.
 */
export class CatalogRepository {
  readonly t: CatalogTables;
  private readonly q: ReturnType<typeof catalogQueries>;
  constructor(readonly db: ModuleDb) {
    this.t = catalogTables(db.dialect);
    this.q = catalogQueries(this.t);
  }

  findProduct(q: Queryable, id: string): Promise<ProductRow | undefined> {
    return q.select().from(this.t.products).where(eq(this.t.products.id, id)).then((rows) => rows[0]);
  }

  /** searchProducts pages by id, which is time-ordered (uuid v7), after an optional cursor. */
  searchProducts(q: Queryable, opts: { text?: string; after?: string; limit: number }): Promise<ProductRow[]> {
    const p = this.t.products;
    const pattern = opts.text ? `%${escapeLike(opts.text.toLowerCase())}%` : undefined;
    return q
      .select()
      .from(p)
      .where(
        and(
          pattern
            ? or(sql`lower(${p.sku}) like ${pattern} escape '\\'`, sql`lower(${p.name}) like ${pattern} escape '\\'`)
            : undefined,
          opts.after ? gt(p.id, opts.after) : undefined,
        ),
      )
      .orderBy(asc(p.id))
      .limit(literalLimit(opts.limit));
  }

  insertProduct(q: Queryable, row: ProductRow): Promise<ProductRow> {
    return q.insert(this.t.products).values(row).returning().then((rows) => rows[0]!);
  }

  updateProduct(q: Queryable, id: string, set: Partial<ProductRow>): Promise<ProductRow | undefined> {
    return q
      .update(this.t.products)
      .set({ ...set, updatedAt: Date.now() })
      .where(eq(this.t.products.id, id))
      .returning()
      .then((rows) => rows[0]);
  }

  /** holdStock moves units from available to reserved if enough are available; returns the price, or nothing. */
  holdStock(q: Queryable, productId: string, quantity: number): Promise<{ priceCents: number } | undefined> {
    return this.q.hold(q, { productId, quantity, updatedAt: Date.now() }).then((rows) => rows[0]);
  }

  /** settleStock moves held units to sold, or back to available. */
  async settleStock(q: Queryable, items: ReservationItemRow[], to: 'sold' | 'available'): Promise<void> {
    const move = to === 'sold' ? this.q.sell : this.q.unhold;
    await Promise.all(items.map((item) => move(q, { productId: item.productId, quantity: item.quantity, updatedAt: Date.now() })));
  }

  async findReservation(q: Queryable, id: string) {
    const [row] = await this.q.reservation(q, { id });
    if (!row) return undefined;
    return { ...row, items: await this.q.reservationItems(q, { id }) };
  }

  async insertReservation(q: Queryable, row: ReservationRow, items: ReservationItemRow[]): Promise<void> {
    // Issued together, in order: on Postgres they leave in one round trip, not one each.
    await Promise.all([this.q.insertReservation(q, row), ...items.map((item) => this.q.insertReservationItem(q, item))]);
  }

  /** moveReservation changes status only from `from`, so two settlers never both win. */
  moveReservation(q: Queryable, id: string, from: ReservationStatus, to: ReservationStatus): Promise<boolean> {
    return this.q.moveReservation(q, { id, from, to, updatedAt: Date.now() }).then((rows) => rows.length === 1);
  }

  /** reopenReservation puts an expired reservation back on hold until expiresAt. */
  async reopenReservation(q: Queryable, id: string, expiresAt: number): Promise<void> {
    const r = this.t.reservations;
    await q
      .update(r)
      .set({ status: 'held', expiresAt, updatedAt: Date.now() })
      .where(and(eq(r.id, id), eq(r.status, 'expired')));
  }

  dueReservations(q: Queryable, now: number, limit: number): Promise<string[]> {
    const r = this.t.reservations;
    return q
      .select({ id: r.id })
      .from(r)
      .where(and(eq(r.status, 'held'), lt(r.expiresAt, now)))
      .limit(literalLimit(limit))
      .then((rows) => rows.map((row) => row.id));
  }

  countProducts(q: Queryable): Promise<number> {
    return q
      .select({ n: sql<number>`count(*)` })
      .from(this.t.products)
      .then((rows) => Number(rows[0]?.n ?? 0));
  }
}
