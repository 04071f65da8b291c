import { and, eq, lt, notExists } from 'drizzle-orm';
import type { ModuleDb } from '../db/module-db.js';
import { eventTables } from './event-tables.js';

/** How long delivered and handled events are kept: time to look into one, and to dedupe a very late repeat. */
export const EVENT_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * pruneEvents deletes what is finished and older than `retentionMs`: deliveries made,
 * events with no delivery left, and inbox entries handled. Pending and dead ones stay
 * until they are delivered, handled or resubmitted, however old.
 *
 * @example await pruneEvents(db, EVENT_RETENTION_MS)
 */
export async function pruneEvents(db: ModuleDb, retentionMs: number, now = Date.now()): Promise<number> {
  const { carveOutbox: outbox, carveOutboxDelivery: delivery, carveInbox: inbox } = eventTables(db.dialect);
  const cutoff = now - retentionMs;
  return db.tx(async (q) => {
    const deliveries = await q
      .delete(delivery)
      .where(and(eq(delivery.status, 'delivered'), lt(delivery.deliveredAt, cutoff)))
      .returning({ id: delivery.eventId });
    const events = await q
      .delete(outbox)
      .where(and(lt(outbox.occurredAt, cutoff), notExists(q.select({ one: delivery.eventId }).from(delivery).where(eq(delivery.eventId, outbox.id)))))
      .returning({ id: outbox.id });
    const handled = await q
      .delete(inbox)
      .where(and(eq(inbox.status, 'handled'), lt(inbox.handledAt, cutoff)))
      .returning({ id: inbox.eventId });
    return deliveries.length + events.length + handled.length;
  });
}
