import { catalogTables } from '../../src/modules/catalog/catalog.tables.js';
import type { TestCarve } from './carve-harness.js';

/**
 * stockOf reads a product's stock counters straight from catalog's own database, wherever
 * it runs: the public API shows only what is available, and the invariants need all three.
 */
export async function stockOf(t: TestCarve, productId: string) {
  const db = t.moduleDb('catalog');
  const { products } = catalogTables(db.dialect);
  const rows = await db.read((q) => q.select().from(products));
  const row = rows.find((r) => r.id === productId)!;
  return { available: row.available, reserved: row.reserved, sold: row.sold };
}
