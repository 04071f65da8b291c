import { newId } from '../../shared/db/new-id.js';
import type { z } from 'zod';
import type { Config } from '../../shared/config/config.js';
import { type CallOptions, type Implementation, contractError, throwIfUnwanted } from '../../shared/contract/index.js';
import { isUniqueViolation } from '../../shared/db/unique-violation.js';
import { HttpProblem } from '../../shared/errors/http-problem.js';
import type { Queryable } from '../../shared/db/module-db.js';
import type { CatalogRepository, ProductRow } from './catalog.repository.js';
import { type Product, type Reservation, type ReserveItem, catalogContract } from './contract.js';

type Item = z.output<typeof ReserveItem>;
type StoredReservation = NonNullable<Awaited<ReturnType<CatalogRepository['findReservation']>>>;

/** mergeItems adds up repeated products and sorts by id, so rows are always locked in one order. */
function mergeItems(items: Item[]): Item[] {
  const byId = new Map<string, number>();
  for (const { productId, quantity } of items) byId.set(productId, (byId.get(productId) ?? 0) + quantity);
  return [...byId].sort(([a], [b]) => (a < b ? -1 : 1)).map(([productId, quantity]) => ({ productId, quantity }));
}

/**
 * CatalogService owns products and the stock held for orders. Every stock move is one
 * transaction whose conditional updates keep available + reserved + sold constant.
 */
export class CatalogService implements Implementation<typeof catalogContract> {
  constructor(
    private readonly repo: CatalogRepository,
    private readonly config: Pick<Config, 'CURRENCY' | 'RESERVATION_TTL'>,
  ) {}

  toProduct(row: ProductRow): Product {
    const { id, sku, name, priceCents, available } = row;
    return { id, sku, name, priceCents, currency: this.config.CURRENCY, stock: available };
  }

  async getProduct({ id }: { id: string }): Promise<Product> {
    const row = await this.repo.db.read((q) => this.repo.findProduct(q, id));
    if (!row) throw contractError(catalogContract, 'PRODUCT_NOT_FOUND', `No product ${id}`, { productId: id });
    return this.toProduct(row);
  }

  async reserve({ reservationId, items }: { reservationId: string; items: Item[] }, options: CallOptions = {}): Promise<Reservation> {
    // Stock held for a caller that has stopped waiting would sit idle until its TTL.
    throwIfUnwanted(options);
    const wanted = mergeItems(items);
    try {
      return await this.repo.db.tx(async (q) => {
        const existing = await this.repo.findReservation(q, reservationId);
        if (existing) {
          this.checkSameItems(existing, wanted);
          // A hold that lapsed while its flow was slow is taken again, if the stock is still there.
          if (existing.status === 'expired') return this.rehold(q, existing);
          return this.toReservation(existing);
        }
        const lines = await this.holdAll(q, reservationId, wanted);
        const now = Date.now();
        const row = {
          id: reservationId,
          status: 'held',
          totalCents: lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0),
          expiresAt: now + this.config.RESERVATION_TTL,
          createdAt: now,
          updatedAt: now,
        };
        await this.repo.insertReservation(q, row, lines);
        return this.toReservation({ ...row, items: lines });
      });
    } catch (err) {
      // A concurrent retry of the same reservation won the insert: answer with its result.
      if (!isUniqueViolation(err)) throw err;
      const existing = await this.repo.db.read((q) => this.repo.findReservation(q, reservationId));
      if (!existing) throw err;
      this.checkSameItems(existing, wanted);
      return this.toReservation(existing);
    }
  }

  async commit({ reservationId }: { reservationId: string }): Promise<Reservation> {
    return this.repo.db.tx(async (q) => {
      const r = await this.repo.findReservation(q, reservationId);
      if (!r) throw contractError(catalogContract, 'RESERVATION_NOT_FOUND', `No reservation ${reservationId}`);
      if (r.status === 'committed') return this.toReservation(r);
      // A held reservation past its expiry but not yet swept still holds its stock, so it may commit.
      if (!(await this.repo.moveReservation(q, reservationId, 'held', 'committed'))) {
        throw contractError(catalogContract, 'RESERVATION_EXPIRED', `Reservation ${reservationId} was ${r.status}`);
      }
      await this.repo.settleStock(q, r.items, 'sold');
      return this.toReservation({ ...r, status: 'committed' });
    });
  }

  async release({ reservationId }: { reservationId: string }) {
    const released = await this.settleHeld(reservationId, 'released');
    return { reservationId, released };
  }

  /** expireDue returns the stock of reservations past their expiry; the sweeper calls it. */
  async expireDue(now = Date.now()): Promise<number> {
    const due = await this.repo.db.read((q) => this.repo.dueReservations(q, now, 200));
    let expired = 0;
    for (const id of due) if (await this.settleHeld(id, 'expired')) expired++;
    return expired;
  }

  /** search returns one more row than asked, so the caller knows whether a next page exists. */
  async search(opts: { text?: string; after?: string; limit: number }): Promise<Product[]> {
    const rows = await this.repo.db.read((q) => this.repo.searchProducts(q, { ...opts, limit: opts.limit + 1 }));
    return rows.map((row) => this.toProduct(row));
  }

  countProducts(): Promise<number> {
    return this.repo.db.read((q) => this.repo.countProducts(q));
  }

  async createProduct(input: { sku: string; name: string; priceCents: number; stock: number }): Promise<Product> {
    const now = Date.now();
    const row = { id: newId(), sku: input.sku, name: input.name, priceCents: input.priceCents, available: input.stock };
    try {
      const saved = await this.repo.db.tx((q) =>
        this.repo.insertProduct(q, { ...row, reserved: 0, sold: 0, createdAt: now, updatedAt: now }),
      );
      return this.toProduct(saved);
    } catch (err) {
      if (isUniqueViolation(err)) throw new HttpProblem(409, 'SKU_TAKEN', 'SKU taken', `SKU ${input.sku} is already in use`);
      throw err;
    }
  }

  async updateProduct(id: string, input: { name?: string; priceCents?: number; stock?: number }): Promise<Product> {
    const { stock, ...rest } = input;
    const set = stock === undefined ? rest : { ...rest, available: stock };
    const row = await this.repo.db.tx((q) => this.repo.updateProduct(q, id, set));
    if (!row) throw contractError(catalogContract, 'PRODUCT_NOT_FOUND', `No product ${id}`, { productId: id });
    return this.toProduct(row);
  }

  private async settleHeld(reservationId: string, to: 'released' | 'expired'): Promise<boolean> {
    return this.repo.db.tx(async (q) => {
      const r = await this.repo.findReservation(q, reservationId);
      if (!r || !(await this.repo.moveReservation(q, reservationId, 'held', to))) return false;
      await this.repo.settleStock(q, r.items, 'available');
      return true;
    });
  }

  /** holdAll holds every item at its current price, or throws and holds nothing. */
  private async holdAll(q: Queryable, reservationId: string, wanted: Item[]) {
    const lines = [];
    for (const { productId, quantity } of wanted) {
      const held = await this.repo.holdStock(q, productId, quantity);
      if (!held) {
        const product = await this.repo.findProduct(q, productId);
        if (!product) throw contractError(catalogContract, 'PRODUCT_NOT_FOUND', `No product ${productId}`, { productId });
        throw contractError(catalogContract, 'OUT_OF_STOCK', `Only ${product.available} of ${product.sku} left`, {
          productId,
          requested: quantity,
          available: product.available,
        });
      }
      lines.push({ reservationId, productId, quantity, unitPriceCents: held.priceCents });
    }
    return lines;
  }

  /** rehold takes an expired reservation's stock again, at the prices it was made at. */
  private async rehold(q: Queryable, r: StoredReservation): Promise<Reservation> {
    await this.holdAll(q, r.id, r.items);
    const expiresAt = Date.now() + this.config.RESERVATION_TTL;
    await this.repo.reopenReservation(q, r.id, expiresAt);
    return this.toReservation({ ...r, status: 'held', expiresAt });
  }

  private checkSameItems(existing: StoredReservation, wanted: Item[]): void {
    const same =
      existing.items.length === wanted.length &&
      existing.items.every((it, i) => it.productId === wanted[i]?.productId && it.quantity === wanted[i]?.quantity);
    if (!same) {
      throw contractError(catalogContract, 'RESERVATION_CONFLICT', `Reservation ${existing.id} exists with other items`);
    }
  }

  private toReservation(r: {
    id: string;
    status: string;
    totalCents: number;
    expiresAt: number;
    items: { productId: string; quantity: number; unitPriceCents: number }[];
  }): Reservation {
    return {
      reservationId: r.id,
      status: r.status as Reservation['status'],
      items: r.items.map(({ productId, quantity, unitPriceCents }) => ({ productId, quantity, unitPriceCents })),
      totalCents: r.totalCents,
      currency: this.config.CURRENCY,
      expiresAt: new Date(r.expiresAt).toISOString(),
    };
  }
}
