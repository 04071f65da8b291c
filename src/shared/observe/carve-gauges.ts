import { count, eq } from 'drizzle-orm';
import type { ModuleDb } from '../db/module-db.js';
import { eventTables } from '../events/event-tables.js';
import { BREAKER_VALUES, type CarveMetrics } from './metrics.js';

/** Breakered is what the gauges read of a remote module: placement stays the composition root's business. */
interface Breakered {
  module: string;
  state(): { breaker: keyof typeof BREAKER_VALUES };
}

/**
 * watchGauges fills the gauges that describe state rather than calls, read fresh at each
 * scrape: each hosted module's outbox backlog and dead events, each remote module's
 * breaker, and each Postgres pool. A module whose database cannot answer is left out of
 * that scrape rather than failing it.
 *
 * @example watchGauges(metrics, { databases: hosted.map((h) => h.db), remote })
 */
export function watchGauges(metrics: CarveMetrics, { databases, remote }: { databases: readonly ModuleDb[]; remote: ReadonlyMap<string, Breakered> }) {
  const eachDb = (work: (db: ModuleDb) => Promise<void>) => async () => {
    await Promise.all(databases.map((db) => work(db).catch(() => {})));
  };
  metrics.onCollect(
    'outboxBacklog',
    eachDb(async (db) => {
      const { carveOutboxDelivery: delivery } = eventTables(db.dialect);
      const [row] = await db.read((q) => q.select({ n: count() }).from(delivery).where(eq(delivery.status, 'pending')));
      metrics.outboxBacklog.set({ module: db.module }, row?.n ?? 0);
    }),
  );
  metrics.onCollect(
    'deadEvents',
    eachDb(async (db) => {
      const { carveOutboxDelivery: delivery, carveInbox: inbox } = eventTables(db.dialect);
      const [out] = await db.read((q) => q.select({ n: count() }).from(delivery).where(eq(delivery.status, 'dead')));
      const [into] = await db.read((q) => q.select({ n: count() }).from(inbox).where(eq(inbox.status, 'dead')));
      metrics.deadEvents.set({ module: db.module, side: 'outbox' }, out?.n ?? 0);
      metrics.deadEvents.set({ module: db.module, side: 'inbox' }, into?.n ?? 0);
    }),
  );
  metrics.onCollect('breakerState', () => {
    for (const endpoint of remote.values()) metrics.breakerState.set({ module: endpoint.module }, BREAKER_VALUES[endpoint.state().breaker]);
  });
  metrics.onCollect('dbConnections', () => {
    for (const db of databases) {
      const pool = db.pool?.();
      if (!pool) continue;
      metrics.dbConnections.set({ module: db.module, state: 'busy' }, pool.busy);
      metrics.dbConnections.set({ module: db.module, state: 'waiting' }, pool.waiting);
      metrics.dbConnections.set({ module: db.module, state: 'max' }, pool.max);
    }
  });
}
