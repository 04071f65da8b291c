import { and, asc, eq, gt, gte, lt, or, sql } from 'drizzle-orm';
import type { ModuleDb, Queryable } from '../../shared/db/module-db.js';
import { type CatalogTables, catalogTables } from './catalog.tables.js';

export type ProductRow = CatalogTables['products']['$inferSelect'];
export type ReservationRow = CatalogTables['reservations']['$inferSelect'];
export type ReservationItemRow = CatalogTables['reservationItems']['$inferSelect'];
export type ReservationStatus = 'held' | 'committed' | 'released' | 'expired';

/** escapeLike makes user text match literally inside a LIKE pattern. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/**
 * CatalogRepository is catalog's SQL, written once for SQLite and Postgres. Stock moves
 * only through conditional updates, so concurrent orders can never oversell.
 */
export class CatalogRepository {
  readonly t: CatalogTables;
  constructor(readonly db: ModuleDb) {
    this.t = catalogTables(db.dialect);
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
      .limit(opts.limit);
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
    const p = this.t.products;
    return q
      .update(p)
      .set({ available: sql`${p.available} - ${quantity}`, reserved: sql`${p.reserved} + ${quantity}`, updatedAt: Date.now() })
      .where(and(eq(p.id, productId), gte(p.available, quantity)))
      .returning({ priceCents: p.priceCents })
      .then((rows) => rows[0]);
  }

  /** settleStock moves held units to sold, or back to available. */
  async settleStock(q: Queryable, items: ReservationItemRow[], to: 'sold' | 'available'): Promise<void> {
    const p = this.t.products;
    for (const item of items) {
      const back = to === 'sold' ? { sold: sql`${p.sold} + ${item.quantity}` } : { available: sql`${p.available} + ${item.quantity}` };
      await q
        .update(p)
        .set({ ...back, reserved: sql`${p.reserved} - ${item.quantity}`, updatedAt: Date.now() })
        .where(eq(p.id, item.productId));
    }
  }

  async findReservation(q: Queryable, id: string) {
    const [row] = await q.select().from(this.t.reservations).where(eq(this.t.reservations.id, id));
    if (!row) return undefined;
    const items = await q
      .select()
      .from(this.t.reservationItems)
      .where(eq(this.t.reservationItems.reservationId, id))
      .orderBy(asc(this.t.reservationItems.productId));
    return { ...row, items };
  }

  async insertReservation(q: Queryable, row: ReservationRow, items: ReservationItemRow[]): Promise<void> {
    await q.insert(this.t.reservations).values(row);
    await q.insert(this.t.reservationItems).values(items);
  }

  /** moveReservation changes status only from `from`, so two settlers never both win. */
  moveReservation(q: Queryable, id: string, from: ReservationStatus, to: ReservationStatus): Promise<boolean> {
    const r = this.t.reservations;
    return q
      .update(r)
      .set({ status: to, updatedAt: Date.now() })
      .where(and(eq(r.id, id), eq(r.status, from)))
      .returning({ id: r.id })
      .then((rows) => rows.length === 1);
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
      .limit(limit)
      .then((rows) => rows.map((row) => row.id));
  }

  countProducts(q: Queryable): Promise<number> {
    return q
      .select({ n: sql<number>`count(*)` })
      .from(this.t.products)
      .then((rows) => Number(rows[0]?.n ?? 0));
  }
}
