import { PortUnavailable } from '../contract/port-unavailable.js';
import type { EventEnvelope } from '../events/envelope.js';
import { type DeliveryOutcome, type EventTransport, EventsUnreachable } from '../events/transport.js';
import type { RemoteEndpoint } from './remote-endpoint.js';

export interface EventPushOptions {
  /** The publishing module, named in the service token. */
  publisher: string;
  endpoint: RemoteEndpoint;
  timeoutMs: number;
}

/**
 * httpEventTransport pushes events to a subscriber in another process at
 * `POST /_events/<module>`, through the same endpoint (pool, breaker, retries) as its
 * port. Sending twice is safe, as the inbox dedupes, so every failure may be retried.
 * A refused batch is sent again one event at a time, to learn which event was refused.
 *
 * @example const transport = httpEventTransport({ publisher: 'orders', endpoint, timeoutMs: 15_000 })
 */
export function httpEventTransport({ publisher, endpoint, timeoutMs }: EventPushOptions): EventTransport {
  const destination = endpoint.module;
  async function push(events: readonly EventEnvelope[]): Promise<{ status: number; text: string }> {
    try {
      return await endpoint.call({
        caller: publisher,
        method: 'events',
        path: `/_events/${destination}`,
        body: JSON.stringify({ events }),
        deadline: Date.now() + timeoutMs,
        retrySafe: true,
      });
    } catch (err) {
      if (err instanceof PortUnavailable) throw new EventsUnreachable(err.message, { cause: err });
      throw err;
    }
  }
  return {
    kind: 'http',
    async deliver(events): Promise<DeliveryOutcome[]> {
      const reply = await push(events);
      if (reply.status === 200) return events.map(() => ({ ok: true }));
      if (reply.status === 400 && events.length > 1) {
        const outcomes: DeliveryOutcome[] = [];
        for (const event of events) outcomes.push(...(await this.deliver([event])));
        return outcomes;
      }
      const error = `${destination} answered ${reply.status}: ${reply.text.slice(0, 300)}`;
      // A 400 is a refusal of this event; anything else says nothing about it, so it waits and is sent again.
      if (reply.status === 400) return [{ ok: false, error }];
      throw new EventsUnreachable(error);
    },
  };
}
