import { and, eq, inArray } from 'drizzle-orm';
import type { EventStore } from './event-stores.js';
import type { EventEntry } from './list-events.js';

/** RetryOutcome is what `events retry` did to one delivery or inbox entry of an event asked for. */
export interface RetryOutcome {
  module: string;
  stage: EventEntry['stage'];
  destination: string | null;
  eventId: string;
  type: string;
  /** Its status before, and its attempts then. */
  was: string;
  attempts: number;
  /** Put back in the queue; false when it was already delivered or handled and was left alone. */
  resubmitted: boolean;
}

export interface RetryReport {
  outcomes: RetryOutcome[];
  /** Events a module published that no module subscribes to: nothing to deliver. */
  unsubscribed: { module: string; eventId: string; type: string }[];
  /** Ids no module in scope has published or received. */
  unknown: string[];
}

/** Only these are ever reset: a delivered or handled row stays so, which is what keeps a retry from repeating an effect. */
const RETRYABLE = ['dead', 'pending'];
/** Due at once, with a fresh count of attempts; `failures` is not touched, so the history stays. */
const RESET = { status: 'pending', attempts: 0, nextAttemptAt: 0 };

/**
 * retryEvents puts every dead or waiting delivery and inbox entry of these events back in
 * the queue, due now. The reset's own WHERE keeps to rows still dead or pending, so a row
 * delivered or handled meanwhile by a running process is left alone and reported so.
 *
 * @example const report = await retryEvents(stores, ['0190f1c2-...'])
 */
export async function retryEvents(stores: readonly EventStore[], ids: readonly string[]): Promise<RetryReport> {
  const found = new Set<string>();
  const report: RetryReport = { outcomes: [], unsubscribed: [], unknown: [] };
  for (const { module, db, t } of stores) {
    const { carveOutbox: outbox, carveOutboxDelivery: delivery, carveInbox: inbox } = t;
    await db.tx(async (q) => {
      const deliveries = await q
        .select({ eventId: delivery.eventId, destination: delivery.destination, status: delivery.status, attempts: delivery.attempts, type: outbox.type })
        .from(delivery)
        .innerJoin(outbox, eq(outbox.id, delivery.eventId))
        .where(inArray(delivery.eventId, [...ids]));
      const received = await q
        .select({ eventId: inbox.eventId, status: inbox.status, attempts: inbox.attempts, type: inbox.type })
        .from(inbox)
        .where(inArray(inbox.eventId, [...ids]));
      const published = await q.select({ eventId: outbox.id, type: outbox.type }).from(outbox).where(inArray(outbox.id, [...ids]));
      const resetDeliveries = await q
        .update(delivery)
        .set(RESET)
        .where(and(inArray(delivery.eventId, [...ids]), inArray(delivery.status, RETRYABLE)))
        .returning({ eventId: delivery.eventId, destination: delivery.destination });
      const resetInbox = await q
        .update(inbox)
        .set(RESET)
        .where(and(inArray(inbox.eventId, [...ids]), inArray(inbox.status, RETRYABLE)))
        .returning({ eventId: inbox.eventId });

      const reset = new Set([...resetDeliveries.map((r) => `${r.eventId} ${r.destination}`), ...resetInbox.map((r) => r.eventId)]);
      for (const { eventId, destination, type, status, attempts } of deliveries) {
        const resubmitted = reset.has(`${eventId} ${destination}`);
        report.outcomes.push({ module, stage: 'deliver', destination, eventId, type, was: status, attempts, resubmitted });
      }
      for (const { eventId, type, status, attempts } of received) {
        report.outcomes.push({ module, stage: 'handle', destination: null, eventId, type, was: status, attempts, resubmitted: reset.has(eventId) });
      }
      const delivering = new Set(deliveries.map((d) => d.eventId));
      for (const p of published) if (!delivering.has(p.eventId)) report.unsubscribed.push({ module, ...p });
      for (const row of [...deliveries, ...received, ...published]) found.add(row.eventId);
    });
  }
  report.unknown = ids.filter((id) => !found.has(id));
  // In the order asked for, and each event's delivery before its handling, as the event travelled.
  const rank = (o: RetryOutcome) => [ids.indexOf(o.eventId), o.stage === 'deliver' ? 0 : 1] as const;
  report.outcomes.sort((a, b) => rank(a)[0] - rank(b)[0] || rank(a)[1] - rank(b)[1]);
  return report;
}

/** RetryAllCount is how many dead rows `events retry-all` put back in one module's queues. */
export interface RetryAllCount {
  module: string;
  deliveries: number;
  inbox: number;
}

/**
 * retryAllEvents puts every dead delivery and inbox entry of each store back in the
 * queue, due now, with attempts 0 and the failure history kept.
 *
 * @example for (const { module, deliveries, inbox } of await retryAllEvents(stores)) console.warn(module, deliveries + inbox)
 */
export async function retryAllEvents(stores: readonly EventStore[]): Promise<RetryAllCount[]> {
  const counts: RetryAllCount[] = [];
  for (const { module, db, t } of stores) {
    const { carveOutboxDelivery: delivery, carveInbox: inbox } = t;
    await db.tx(async (q) => {
      const deliveries = await q.update(delivery).set(RESET).where(eq(delivery.status, 'dead')).returning({ eventId: delivery.eventId });
      const received = await q.update(inbox).set(RESET).where(eq(inbox.status, 'dead')).returning({ eventId: inbox.eventId });
      counts.push({ module, deliveries: deliveries.length, inbox: received.length });
    });
  }
  return counts;
}
