import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { type MsgHdrs, headers } from '@nats-io/transport-node';
import { EventEnvelope, retryDelay } from '../events/envelope.js';
import { type DeliveryOutcome, type EventTransport, EventsUnreachable } from '../events/transport.js';
import type { Logger } from '../log/logger.js';
import { EVENTS_STREAM, NATS_TIMEOUT_MS, ensureConsumer, eventSubject, moduleName, natsLink, onCloseNats } from './nats-connection.js';

export { closeNats, eventSubject } from './nats-connection.js';

/** A message whose accept failed comes back after this long; later ones wait behind it at most HOLD_MS, keeping order. */
const NAK_DELAY_MS = 1_000;
const HOLD_MS = 10_000;
/** The event's trace travels in the message headers too, where NATS tooling looks for it. */
function traceHeaders(event: EventEnvelope): MsgHdrs | undefined {
  if (!event.traceparent) return undefined;
  const h = headers();
  h.set('traceparent', event.traceparent);
  return h;
}

/** Credentials in the URL stay out of errors and logs. */
const shown = (url: string) => url.replace(/\/\/[^@/]*@/, '//');

/**
 * natsEventTransport publishes a subscriber's events to JetStream, one at a time and in
 * order, each acknowledged by the broker before the next. The msgID `<id>:<destination>`
 * lets the broker drop a copy sent again after a relay crash. A broker that is down,
 * slow or missing its stream is EventsUnreachable, so the events wait in the outbox.
 *
 * @example const transport = natsEventTransport({ url: 'nats://127.0.0.1:4222', destination: 'notifications', logger })
 */
export function natsEventTransport({ url, destination, logger }: { url: string; destination: string; logger: Logger }): EventTransport {
  moduleName(destination);
  const unreachable = (err: unknown) => new EventsUnreachable(`NATS at ${shown(url)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  return {
    kind: 'nats',
    async deliver(events): Promise<DeliveryOutcome[]> {
      const link = await natsLink(url).catch((err: unknown) => Promise.reject(unreachable(err)));
      // A request made while disconnected would sit in the client's buffer for the whole timeout: fail at once instead.
      const whileConnected = () => {
        if (!link.connected()) throw unreachable('disconnected; the client is reconnecting');
      };
      whileConnected();
      await link.streamReady().catch((err: unknown) => Promise.reject(unreachable(err)));
      const outcomes: DeliveryOutcome[] = [];
      for (const event of events) {
        whileConnected();
        try {
          const ack = await link.js.publish(eventSubject(destination, event.type), JSON.stringify(event), {
            msgID: `${event.id}:${destination}`,
            timeout: NATS_TIMEOUT_MS,
            headers: traceHeaders(event),
          });
          if (ack.duplicate) logger.debug({ eventId: event.id, destination }, 'event already in the stream; the broker dropped the copy');
        } catch (err) {
          link.forgetStream();
          throw unreachable(err);
        }
        outcomes.push({ ok: true });
      }
      return outcomes;
    },
  };
}

export interface NatsConsumerOptions {
  url: string;
  module: string;
  /** accept stores the event in the module's inbox and resolves once that is committed. */
  accept: (event: EventEnvelope) => Promise<void>;
  logger: Logger;
}

/**
 * startNatsConsumer feeds a module's inbox from its durable consumer `carve-<module>`.
 * Each event is acked only after `accept` committed it; a failed accept is redelivered,
 * and a message that is not an event is terminated so it blocks nothing. Whatever ends
 * the consume loop (broker gone, consumer deleted), it starts again with backoff.
 *
 * @example const consumer = startNatsConsumer({ url, module: 'notifications', accept: (e) => receive(db, e), logger }); await consumer.stop()
 */
export function startNatsConsumer({ url, module, accept, logger }: NatsConsumerOptions): { stop(): Promise<void> } {
  const durable = `carve-${moduleName(module)}`;
  const log = logger.child({ module, consumer: durable });
  let stopping = false;
  let messages: ConsumerMessages | undefined;
  let wake = () => {};
  // The stream sequence of a failed event: later ones are sent back until it is accepted, so the inbox gets them in order.
  let held: { seq: number; until: number } | undefined;

  async function handle(m: JsMsg): Promise<void> {
    let event: EventEnvelope;
    try {
      event = EventEnvelope.parse(JSON.parse(m.string()));
    } catch (err) {
      log.error({ subject: m.subject, seq: m.seq, err }, 'message on the events stream is not an event; terminated');
      // No reason text: brokers before 2.10.4 take only a bare +TERM, and ignore one with a reason.
      return m.term();
    }
    if (held && held.until < Date.now()) held = undefined;
    if (held && m.seq > held.seq) return m.nak(NAK_DELAY_MS);
    try {
      await accept(event);
    } catch (err) {
      log.warn({ eventId: event.id, seq: m.seq, err }, 'accepting an event failed; it will be redelivered');
      held = { seq: Math.min(m.seq, held?.seq ?? m.seq), until: Date.now() + HOLD_MS };
      return m.nak(NAK_DELAY_MS);
    }
    m.ack();
    if (held?.seq === m.seq) held = undefined;
  }

  async function consumeOnce(): Promise<void> {
    const link = await natsLink(url);
    await link.streamReady();
    await ensureConsumer(link.jsm, durable, module);
    const consumer = await link.js.consumers.get(EVENTS_STREAM, durable);
    messages = await consumer.consume({ max_messages: 64 });
    if (stopping) await messages.close();
    const current = messages;
    void (async () => {
      for await (const s of current.status()) {
        // The client keeps pulling through disconnects by itself; a lost stream or consumer needs creating again.
        if (s.type === 'consumer_not_found' || s.type === 'stream_not_found' || s.type === 'consumer_deleted') {
          log.warn({ status: s.type }, 'NATS consumer lost; creating it again');
          link.forgetStream();
          await current.close();
        }
      }
    })().catch(() => {});
    held = undefined;
    for await (const m of current) await handle(m);
  }

  const loop = (async () => {
    let failures = 0;
    while (!stopping) {
      try {
        await consumeOnce();
        failures = 0;
        if (!stopping) log.warn('NATS consume loop ended; starting it again');
      } catch (err) {
        failures++;
        if (!stopping) log.warn({ err: err instanceof Error ? err.message : String(err), failures }, 'NATS consumer unavailable; retrying');
      }
      messages = undefined;
      if (!stopping) await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, retryDelay(failures + 1));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  const unregister = onCloseNats(stop);
  async function stop(): Promise<void> {
    stopping = true;
    unregister();
    wake();
    // Closing lets the events already pulled be accepted and acked, then ends the loop.
    await messages?.close();
    await loop;
  }
  return { stop };
}
