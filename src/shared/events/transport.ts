import type { EventEnvelope } from './envelope.js';

/** DeliveryOutcome is what a subscriber said of one event: taken (stored in its inbox, perhaps already), or refused and why. */
export type DeliveryOutcome = { ok: true } | { ok: false; error: string };

/**
 * EventTransport moves events from a publisher's outbox into one subscriber's inbox:
 * in-process, over HTTP or through a broker. It answers per event, in order, or throws
 * EventsUnreachable when it could not tell, so the relay tries again later.
 */
export interface EventTransport {
  readonly kind: 'in-process' | 'http' | 'nats';
  deliver(events: readonly EventEnvelope[]): Promise<DeliveryOutcome[]>;
  close?(): Promise<void>;
}

/** EventsUnreachable means the subscriber or broker could not be reached: the events wait, however long that takes. */
export class EventsUnreachable extends Error {
  override readonly name = 'EventsUnreachable';
}
