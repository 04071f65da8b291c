import type { TestCarve } from './carve-harness.js';
import { catalogTables } from '../../src/modules/catalog/catalog.tables.js';

/**
 * stockOf reads a product's stock counters straight from catalog's own database: the
 * public API shows only what is available, and the invariants need all three.
 */
export async function stockOf(t: TestCarve, productId: string) {
  const hosted = t.carve.hosted.find((h) => h.module.name === 'catalog')!;
  const { products } = catalogTables(hosted.db.dialect);
  const rows = await hosted.db.read((q) => q.select().from(products));
  const row = rows.find((r) => r.id === productId)!;
  return { available: row.available, reserved: row.reserved, sold: row.sold };
}
