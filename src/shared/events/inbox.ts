import { and, asc, eq } from 'drizzle-orm';
import type { ModuleDb, Queryable } from '../db/module-db.js';
import { p, prepared, v } from '../db/prepared.js';
import { literalLimit } from '../db/literal-limit.js';
import type { Logger } from '../log/logger.js';
import { type EventEnvelope, addFailure, retryDelay } from './envelope.js';
import { eventTables } from './event-tables.js';
import { SpanKind, contextFrom, inSpan } from '../observe/tracing.js';
import { type Subscription, readEnvelope } from './subscriptions.js';

export interface Received {
  received: number;
  duplicates: number;
}

/**
 * receiveEvents stores events in a module's inbox, once each: an id already there is a
 * duplicate and changes nothing. `refused` stores an event the subscriber cannot take
 * as dead at once, with the reason, so it can be seen and resubmitted after an upgrade.
 */
export async function receiveEvents(db: ModuleDb, events: readonly EventEnvelope[], refused = new Map<string, string>()): Promise<Received> {
  if (events.length === 0) return { received: 0, duplicates: 0 };
  const t = eventTables(db.dialect);
  const now = Date.now();
  const rows = events.map((e) => {
    const reason = refused.get(e.id);
    return {
      eventId: e.id,
      type: e.type,
      version: e.version,
      aggregateId: e.aggregateId,
      payload: JSON.stringify(e.payload ?? null),
      occurredAt: e.occurredAt,
      receivedAt: now,
      status: reason ? 'dead' : 'pending',
      attempts: 0,
      failures: reason ? addFailure('[]', reason, now) : '[]',
      nextAttemptAt: 0,
      traceparent: e.traceparent ?? null,
    };
  });
  // Each event goes in through one prepared insert. A batch on Postgres is one multi-row
  // insert instead, which saves a round trip per event; on SQLite, where a statement costs
  // microseconds, building that insert anew for each batch cost more than running the
  // prepared one per row (1.5% of the monolith's CPU under load, when the relay batches).
  const receive = receiveOne(db);
  const inserted = await db.tx(async (q) => {
    if (rows.length > 1 && db.dialect === 'postgres') {
      return q.insert(t.carveInbox).values(rows).onConflictDoNothing({ target: t.carveInbox.eventId }).returning({ id: t.carveInbox.eventId });
    }
    const ids: { id: string }[] = [];
    for (const row of rows) ids.push(...(await receive(q, row)));
    return ids;
  });
  return { received: inserted.length, duplicates: events.length - inserted.length };
}

const receivers = new WeakMap<ModuleDb, (q: Queryable, row: Record<string, unknown>) => Promise<{ id: string }[]>>();

/** receiveOne is the prepared insert of one event into `db`'s inbox, made once per database. */
function receiveOne(db: ModuleDb) {
  let receive = receivers.get(db);
  if (!receive) {
    const inbox = eventTables(db.dialect).carveInbox;
    const columns = ['eventId', 'type', 'version', 'aggregateId', 'payload', 'occurredAt', 'receivedAt', 'status', 'attempts', 'failures', 'nextAttemptAt', 'traceparent'] as const;
    const values = Object.fromEntries(columns.map((c) => [c, p(c)])) as unknown as typeof inbox.$inferInsert;
    receive = prepared((q) => q.insert(inbox).values(values).onConflictDoNothing({ target: inbox.eventId }).returning({ id: inbox.eventId }).prepare('carve_inbox_receive'));
    receivers.set(db, receive);
  }
  return receive;
}

export interface InboxProcessorOptions {
  db: ModuleDb;
  subscriptions: ReadonlyMap<string, Subscription>;
  maxAttempts: number;
  logger: Logger;
}

const BATCH = 200;

/**
 * createInboxProcessor handles a module's received events. Each effect runs in the
 * module's own transaction together with marking the event handled, so it happens once
 * however often the event arrives. Events of one aggregate are handled in the order
 * received; a failing one holds back only its own aggregate, and after `maxAttempts`
 * it is dead-lettered and holds back nothing.
 *
 * @example const processor = createInboxProcessor({ db, subscriptions, maxAttempts: 10, logger }); await processor.runOnce()
 */
export function createInboxProcessor({ db, subscriptions, maxAttempts, logger }: InboxProcessorOptions) {
  const t = eventTables(db.dialect);
  const inbox = t.carveInbox;
  // Each round and each event runs these; built once per handle (see prepared).
  type Row = typeof inbox.$inferSelect;
  const pending = prepared<Row[]>((q) =>
    q.select().from(inbox).where(eq(inbox.status, 'pending')).orderBy(asc(inbox.seq)).limit(literalLimit(BATCH)).prepare('carve_inbox_pending'),
  );
  const claim = prepared<{ id: string }[]>((q) =>
    q
      .update(inbox)
      .set({ status: 'handled', attempts: v('attempts'), handledAt: v('handledAt') })
      .where(and(eq(inbox.eventId, p('eventId')), eq(inbox.status, 'pending')))
      .returning({ id: inbox.eventId })
      .prepare('carve_inbox_claim'),
  );

  async function handle(row: Row): Promise<void> {
    const event: EventEnvelope = {
      id: row.eventId,
      type: row.type,
      version: row.version,
      aggregateId: row.aggregateId,
      occurredAt: row.occurredAt,
      payload: JSON.parse(row.payload),
      ...(row.traceparent ? { traceparent: row.traceparent } : {}),
    };
    const read = readEnvelope(subscriptions, event);
    if ('refusal' in read) throw new Refused(read.refusal);
    const { sub, payload } = read;
    const handled = await db.tx(async (q) => {
      // Claim first: a second processor on the same database finds the row taken and does nothing.
      const claimed = await claim(q, { eventId: row.eventId, attempts: row.attempts + 1, handledAt: Date.now() });
      if (claimed.length === 0) return false;
      await sub.handler(payload, { q, event });
      return true;
    });
    if (handled) logger.debug({ eventId: row.eventId, type: row.type }, 'event handled');
  }

  async function recordFailure(row: Row, err: unknown): Promise<boolean> {
    const attempts = row.attempts + 1;
    const dead = err instanceof Refused || attempts >= maxAttempts;
    const error = err instanceof Error ? err.message : String(err);
    logger[dead ? 'error' : 'warn']({ eventId: row.eventId, type: row.type, attempts, err: error }, dead ? 'event dead-lettered' : 'event handler failed; will retry');
    await db.tx((q) =>
      q
        .update(inbox)
        .set({
          status: dead ? 'dead' : 'pending',
          attempts,
          failures: addFailure(row.failures, error),
          nextAttemptAt: Date.now() + retryDelay(attempts),
        })
        .where(and(eq(inbox.eventId, row.eventId), eq(inbox.status, 'pending'))),
    );
    return dead;
  }

  /**
   * handleInOrder handles one aggregate's due events in order, and returns how many it
   * handled. It stops at an event waiting for its retry, or one that failed and will be
   * retried; a dead event holds back nothing.
   */
  async function handleInOrder(queue: Row[], now: number): Promise<number> {
    let handled = 0;
    for (const row of queue) {
      if (row.nextAttemptAt > now) break;
      // Handling continues the publishing request's trace, so its spans and log lines join it.
      const attributes = { 'carve.event': row.type, 'carve.event_id': row.eventId };
      const passed = await inSpan(`handle ${row.type}`, { kind: SpanKind.CONSUMER, attributes }, contextFrom(row.traceparent), async () => {
        try {
          await handle(row);
          handled++;
          return true;
        } catch (err) {
          return recordFailure(row, err);
        }
      });
      if (!passed) break;
    }
    return handled;
  }

  return {
    /**
     * runOnce handles what is due; true if the inbox may hold more, so the caller should
     * look again at once. A round that read less than a full batch has seen every pending
     * event: one received since wakes the processor itself.
     */
    async runOnce(): Promise<boolean> {
      const rows = await db.read((q) => pending(q, {}));
      const now = Date.now();
      // One queue per aggregate, handled in the order received. The queues run side by
      // side, so on SQLite their transactions share a commit instead of taking a turn of
      // the event loop each: under the order load, notifications' database went from 0.87
      // commits an order to 0.22.
      const queues = new Map<string, Row[]>();
      for (const row of rows) {
        const key = `${row.type.split('.')[0]}:${row.aggregateId}`;
        const queue = queues.get(key);
        if (queue) queue.push(row);
        else queues.set(key, [row]);
      }
      // On Postgres each running queue holds a connection: half the pool at most, so the
      // module's requests still find one. SQLite has one connection and a lock, so all run.
      const all = [...queues.values()];
      const width = db.pool ? Math.max(1, Math.floor(db.pool().max / 2)) : all.length;
      let next = 0;
      let handled = 0;
      const worker = async () => {
        while (next < all.length) {
          // Not `handled += await …`: that reads `handled` before the await, losing what other workers added.
          const n = await handleInOrder(all[next++]!, now);
          handled += n;
        }
      };
      const settled = await Promise.allSettled(Array.from({ length: Math.min(width, all.length) }, worker));
      // Every queue has stopped before a failure is thrown, so the next round never overlaps this one.
      const failed = settled.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      return handled > 0 && rows.length === BATCH;
    },
  };
}

/** Refused is an event this subscriber can never handle as it stands: dead at once, not retried. */
class Refused extends Error {}
