import type { z } from 'zod';
import { newId } from '../db/new-id.js';
import { type EventRef, aggregateOf } from '../contract/define-event.js';
import type { ModuleDb, Queryable } from '../db/module-db.js';
import { p, prepared } from '../db/prepared.js';
import { eventTables } from './event-tables.js';
import { currentTraceparent } from '../observe/tracing.js';

/** Outbox is how a module publishes: inside the transaction that changed its state. */
export interface Outbox {
  /**
   * publish records the event, and one delivery per subscriber, with the caller's
   * transaction: the event exists if and only if the change that caused it committed.
   * Returns the event's id.
   */
  publish<E extends EventRef>(q: Queryable, ref: E, payload: z.input<E['payload']>): Promise<string>;
}

// Transactions that published, by their handle: the relay is woken by those commits only.
const published = new WeakSet<Queryable>();

/** publishedIn tells, once, whether the transaction with handle `q` published an event. */
export function publishedIn(q: Queryable): boolean {
  return published.delete(q);
}

/**
 * createOutbox builds a module's outbox over its own database. `subscribersOf` names
 * the modules that subscribe to an event type, wherever they run.
 *
 * @example await db.tx(async (q) => { await repo.settle(q, id); await outbox.publish(q, ordersContract.events.OrderPaid, paid) })
 */
export function createOutbox(db: ModuleDb, subscribersOf: (type: string) => readonly string[]): Outbox {
  const t = eventTables(db.dialect);
  // Every publish runs these; built once per handle (see prepared).
  const insertEvent = prepared((q) =>
    q
      .insert(t.carveOutbox)
      .values({
        id: p('id'),
        type: p('type'),
        version: p('version'),
        aggregateId: p('aggregateId'),
        payload: p('payload'),
        occurredAt: p('occurredAt'),
        traceparent: p('traceparent'),
      })
      .prepare('carve_outbox_insert'),
  );
  const insertDelivery = prepared((q) =>
    q
      .insert(t.carveOutboxDelivery)
      .values({ eventId: p('eventId'), destination: p('destination'), status: 'pending', attempts: 0, failures: '[]', nextAttemptAt: 0 })
      .prepare('carve_outbox_delivery_insert'),
  );
  return {
    async publish(q, ref, payload) {
      const parsed = ref.payload.safeParse(payload);
      // A payload that breaks its own schema is the publisher's bug: fail the transaction rather than send it.
      if (!parsed.success) throw new Error(`${ref.type} payload does not match its schema: ${parsed.error.message}`);
      const id = newId();
      const destinations = subscribersOf(ref.type);
      if (destinations.length > 0) published.add(q);
      // The event and its deliveries are issued together, in order: one round trip on Postgres.
      const event = insertEvent(q, {
        id,
        type: ref.type,
        version: ref.version,
        aggregateId: aggregateOf(ref, parsed.data),
        payload: JSON.stringify(parsed.data),
        occurredAt: Date.now(),
        traceparent: currentTraceparent() ?? null,
      });
      await Promise.all([event, ...destinations.map((destination) => insertDelivery(q, { eventId: id, destination }))]);
      return id;
    },
  };
}
