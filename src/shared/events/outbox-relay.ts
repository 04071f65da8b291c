import { and, asc, eq, lte } from 'drizzle-orm';
import type { ModuleDb } from '../db/module-db.js';
import { p, prepared, v } from '../db/prepared.js';
import { literalLimit } from '../db/literal-limit.js';
import type { Logger } from '../log/logger.js';
import { type EventEnvelope, addFailure, retryDelay } from './envelope.js';
import { eventTables } from './event-tables.js';
import { type DeliveryOutcome, type EventTransport, EventsUnreachable } from './transport.js';

export interface OutboxRelayOptions {
  db: ModuleDb;
  /** The transport to each subscriber, by module name; the composition root picks them from the topology. */
  transportTo: (destination: string) => EventTransport | undefined;
  maxAttempts: number;
  logger: Logger;
}

const BATCH = 200;
const CHUNK = 50;

type Due = { seq: number; event: EventEnvelope; destination: string; attempts: number; failures: string };

/**
 * createOutboxRelay delivers a module's published events to their subscribers, in
 * publishing order per subscriber. An unreachable subscriber holds its own queue and is
 * retried with backoff for as long as it is away; an event a subscriber refuses counts
 * an attempt, and after `maxAttempts` is dead-lettered so the rest can pass.
 *
 * @example const relay = createOutboxRelay({ db, transportTo, maxAttempts: 10, logger }); await relay.runOnce()
 */
export function createOutboxRelay({ db, transportTo, maxAttempts, logger }: OutboxRelayOptions) {
  const t = eventTables(db.dialect);
  const { carveOutbox: outbox, carveOutboxDelivery: delivery } = t;

  // A subscriber found unreachable is left alone until then, so a long outage costs one attempt per backoff step.
  const pausedUntil = new Map<string, number>();

  // Each round runs these; built once per handle (see prepared).
  const pending = prepared<{ d: string }[]>((q) =>
    q.selectDistinct({ d: delivery.destination }).from(delivery).where(eq(delivery.status, 'pending')).prepare('carve_relay_destinations'),
  );
  const dueTo = prepared<{ e: typeof outbox.$inferSelect; d: typeof delivery.$inferSelect }[]>((q) =>
    q
      .select({ e: outbox, d: delivery })
      .from(delivery)
      .innerJoin(outbox, eq(outbox.id, delivery.eventId))
      .where(and(eq(delivery.destination, p('destination')), eq(delivery.status, 'pending'), lte(delivery.nextAttemptAt, p('now'))))
      .orderBy(asc(outbox.seq))
      .limit(literalLimit(BATCH))
      .prepare('carve_relay_due'),
  );
  const delivered = prepared((q) =>
    q
      .update(delivery)
      .set({ status: 'delivered', attempts: v('attempts'), deliveredAt: v('deliveredAt') })
      .where(and(eq(delivery.eventId, p('eventId')), eq(delivery.destination, p('destination')), eq(delivery.status, 'pending')))
      .prepare('carve_relay_delivered'),
  );

  async function destinations(): Promise<string[]> {
    const rows = await db.read((q) => pending(q, {}));
    return rows.map((r) => r.d).filter((d) => (pausedUntil.get(d) ?? 0) <= Date.now());
  }

  async function due(destination: string): Promise<Due[]> {
    const rows = await db.read((q) => dueTo(q, { destination, now: Date.now() }));
    return rows.map(({ e, d }) => ({
      seq: e.seq,
      destination: d.destination,
      attempts: d.attempts,
      failures: d.failures,
      event: {
        id: e.id,
        type: e.type,
        version: e.version,
        aggregateId: e.aggregateId,
        occurredAt: e.occurredAt,
        payload: JSON.parse(e.payload),
        ...(e.traceparent ? { traceparent: e.traceparent } : {}),
      },
    }));
  }

  async function record(rows: Due[], outcomes: (DeliveryOutcome | { unreachable: string })[]): Promise<void> {
    const now = Date.now();
    await db.tx(async (q) => {
      for (const [i, row] of rows.entries()) {
        const outcome = outcomes[i]!;
        if ('ok' in outcome && outcome.ok) {
          await delivered(q, { eventId: row.event.id, destination: row.destination, attempts: row.attempts + 1, deliveredAt: now });
          continue;
        }
        const attempts = row.attempts + 1;
        const refused = 'error' in outcome;
        const error = refused ? `refused by ${row.destination}: ${outcome.error}` : outcome.unreachable;
        // Only a refusal counts towards the dead letter: an absent subscriber is waited for.
        const dead = refused && attempts >= maxAttempts;
        if (dead) logger.error({ eventId: row.event.id, type: row.event.type, destination: row.destination, err: error }, 'event dead-lettered');
        await q
          .update(delivery)
          .set({ status: dead ? 'dead' : 'pending', attempts, failures: addFailure(row.failures, error, now), nextAttemptAt: now + retryDelay(attempts) })
          .where(and(eq(delivery.eventId, row.event.id), eq(delivery.destination, row.destination), eq(delivery.status, 'pending')));
      }
    });
  }

  /** deliverTo sends one subscriber's due events in order, stopping at the first it cannot deliver. */
  async function deliverTo(destination: string, rows: Due[]): Promise<boolean> {
    const transport = transportTo(destination);
    let progressed = false;
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      if (!transport) {
        await record(chunk, chunk.map(() => ({ unreachable: `no route to ${destination}: it is not hosted here and neither its URL nor EVENTS_URL is set` })));
        return progressed;
      }
      try {
        const outcomes = await transport.deliver(chunk.map((r) => r.event));
        pausedUntil.delete(destination);
        await record(chunk, outcomes);
        progressed = true;
        // A refusal holds back that subscriber's later events until it passes or is dead-lettered, keeping order.
        if (outcomes.some((o) => !o.ok)) return progressed;
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        if (!(err instanceof EventsUnreachable)) logger.error({ err, destination }, 'event delivery failed unexpectedly');
        else logger.warn({ destination, err: reason, waiting: rows.length - i }, 'subscriber unreachable; events wait in the outbox');
        await record(chunk, chunk.map(() => ({ unreachable: `${destination} unreachable: ${reason}` })));
        pausedUntil.set(destination, Date.now() + retryDelay(chunk[0]!.attempts + 1));
        return progressed;
      }
    }
    return progressed;
  }

  return {
    /**
     * runOnce delivers what is due; true if a subscriber's queue may hold more, so the
     * caller should look again at once. A round that took less than a full batch has seen
     * everything due: an event published since wakes the relay by its commit.
     */
    async runOnce(): Promise<boolean> {
      // Each subscriber has its own queue, so one that is down holds back no other.
      const results = await Promise.all(
        (await destinations()).map(async (d) => {
          const rows = await due(d);
          return (await deliverTo(d, rows)) && rows.length === BATCH;
        }),
      );
      return results.some(Boolean);
    },
  };
}
