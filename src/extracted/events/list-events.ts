import { count, desc, eq, inArray } from 'drizzle-orm';
import { literalLimit } from '../../shared/db/literal-limit.js';
import type { Failure } from '../../shared/events/envelope.js';
import type { EventStore } from './event-stores.js';
import { STATUSES, type Status } from './events-args.js';

/** EventEntry is one outbox delivery or one inbox entry, as `events list` shows it. */
export interface EventEntry {
  module: string;
  /** 'deliver': the module's outbox sending the event to `destination`; 'handle': the module's inbox handling it. */
  stage: 'deliver' | 'handle';
  destination: string | null;
  eventId: string;
  type: string;
  aggregateId: string;
  status: string;
  attempts: number;
  occurredAt: number;
  /** While pending: not retried before this time (epoch ms). */
  nextAttemptAt: number;
  /** When it was delivered or handled. */
  doneAt: number | null;
  /** Every failed attempt kept, oldest first. */
  failures: Failure[];
}

export type StatusCounts = Record<Status, number>;

export interface EventListing {
  /** The most recent entries with the statuses asked for, oldest first. */
  entries: EventEntry[];
  /** How many entries have those statuses in all, shown or not. */
  matching: number;
  /** Every entry of each module by status, whatever was asked for. */
  counts: { module: string; counts: StatusCounts }[];
}

/**
 * listEvents reads the deliveries and inbox entries of each store with the given
 * statuses, keeping the `limit` most recent across all of them, and counts every entry
 * by module and status. It only reads.
 *
 * @example const listing = await listEvents(stores, { statuses: ['pending', 'dead'], limit: 50 })
 */
export async function listEvents(stores: readonly EventStore[], { statuses, limit }: { statuses: readonly Status[]; limit: number }): Promise<EventListing> {
  const perStore = await Promise.all(stores.map((store) => readStore(store, statuses, limit)));
  const entries = perStore
    .flatMap((s) => s.entries)
    .sort((a, b) => b.occurredAt - a.occurredAt || (b.eventId < a.eventId ? -1 : b.eventId > a.eventId ? 1 : 0))
    .slice(0, limit)
    .reverse();
  const counts = perStore.map((s) => ({ module: s.module, counts: s.counts }));
  const matching = counts.reduce((n, c) => n + statuses.reduce((m, s) => m + c.counts[s], 0), 0);
  return { entries, matching, counts };
}

async function readStore({ module, db, t }: EventStore, statuses: readonly Status[], limit: number) {
  const { carveOutbox: outbox, carveOutboxDelivery: delivery, carveInbox: inbox } = t;
  return db.read(async (q) => {
    const deliveries = await q
      .select({
        eventId: delivery.eventId,
        destination: delivery.destination,
        status: delivery.status,
        attempts: delivery.attempts,
        failures: delivery.failures,
        nextAttemptAt: delivery.nextAttemptAt,
        doneAt: delivery.deliveredAt,
        type: outbox.type,
        aggregateId: outbox.aggregateId,
        occurredAt: outbox.occurredAt,
      })
      .from(delivery)
      .innerJoin(outbox, eq(outbox.id, delivery.eventId))
      .where(inArray(delivery.status, [...statuses]))
      .orderBy(desc(outbox.seq), desc(delivery.destination))
      .limit(literalLimit(limit));
    const received = await q
      .select({
        eventId: inbox.eventId,
        status: inbox.status,
        attempts: inbox.attempts,
        failures: inbox.failures,
        nextAttemptAt: inbox.nextAttemptAt,
        doneAt: inbox.handledAt,
        type: inbox.type,
        aggregateId: inbox.aggregateId,
        occurredAt: inbox.occurredAt,
      })
      .from(inbox)
      .where(inArray(inbox.status, [...statuses]))
      .orderBy(desc(inbox.seq))
      .limit(literalLimit(limit));
    const counts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as StatusCounts;
    for (const table of [delivery, inbox]) {
      const rows = await q.select({ status: table.status, n: count() }).from(table).groupBy(table.status);
      for (const { status, n } of rows) if (status in counts) counts[status as Status] += n;
    }
    const entries = [
      ...deliveries.map((d) => toEntry(module, 'deliver', d)),
      ...received.map((r) => toEntry(module, 'handle', { ...r, destination: null })),
    ];
    return { module, entries, counts };
  });
}

type EntryRow = Omit<EventEntry, 'module' | 'stage' | 'failures'> & { failures: string };

function toEntry(module: string, stage: EventEntry['stage'], row: EntryRow): EventEntry {
  return {
    module,
    stage,
    destination: row.destination,
    eventId: row.eventId,
    type: row.type,
    aggregateId: row.aggregateId,
    status: row.status,
    attempts: row.attempts,
    occurredAt: row.occurredAt,
    nextAttemptAt: row.nextAttemptAt,
    doneAt: row.doneAt,
    failures: parseFailures(row.failures),
  };
}

/**
 * parseFailures reads a row's stored failures; a row written by hand with something
 * else there shows no history rather than stopping the listing.
 *
 * @example parseFailures('[{"at":1,"error":"refused"}]').at(-1)?.error // 'refused'
 */
export function parseFailures(stored: string): Failure[] {
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? (parsed as Failure[]) : [];
  } catch {
    return [];
  }
}
