import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type NatsServer, startNatsServer } from '../../../test/support/nats-server.js';
import type { EventEnvelope } from '../events/envelope.js';
import { EventsUnreachable } from '../events/transport.js';
import { createLogger } from '../log/logger.js';
import { EVENTS_STREAM, ensureStream, natsLink } from './nats-connection.js';
import { closeNats, eventSubject, natsEventTransport, startNatsConsumer } from './nats-events.js';

const logLines: string[] = [];
const logger = createLogger('debug', { write: (line: string) => void logLines.push(line) });

let nats: NatsServer;
beforeEach(async () => {
  logLines.length = 0;
  nats = await startNatsServer();
});
afterEach(async () => {
  await closeNats();
  await nats.dispose();
});

const paid = (n: number): EventEnvelope => ({
  id: randomUUID(),
  type: 'orders.OrderPaid',
  version: 1,
  aggregateId: 'order-1',
  occurredAt: Date.now(),
  payload: { n },
});

/** inbox records what a module's consumer accepted; `failOnce` makes the first accept of those ids throw. */
function inbox(failOnce: readonly string[] = []) {
  const accepted: EventEnvelope[] = [];
  const attempts = new Map<string, number>();
  const accept = async (event: EventEnvelope) => {
    attempts.set(event.id, (attempts.get(event.id) ?? 0) + 1);
    if (failOnce.includes(event.id) && attempts.get(event.id) === 1) throw new Error('inbox database unavailable');
    accepted.push(event);
  };
  return { accepted, attempts, accept, ids: () => accepted.map((e) => e.id) };
}

const notifications = () => natsEventTransport({ url: nats.url, destination: 'notifications', logger });
const consume = (accept: (e: EventEnvelope) => Promise<void>, module = 'notifications') => startNatsConsumer({ url: nats.url, module, accept, logger });

async function broker() {
  const { jsm } = await natsLink(nats.url);
  return {
    storedMessages: async () => (await jsm.streams.info(EVENTS_STREAM)).state.messages,
    /** unfinished counts a module's events not yet delivered, or delivered and not yet acked. */
    unfinished: async (module: string) => {
      const info = await jsm.consumers.info(EVENTS_STREAM, `carve-${module}`);
      return info.num_pending + info.num_ack_pending;
    },
    deleteConsumer: (module: string) => jsm.consumers.delete(EVENTS_STREAM, `carve-${module}`),
  };
}

/** everyEventAcked waits until the broker holds nothing more for the module, so nothing can be redelivered later. */
async function everyEventAcked(module = 'notifications') {
  const b = await broker();
  await vi.waitFor(async () => {
    expect(await b.unfinished(module)).toBe(0);
  }, { timeout: 10_000, interval: 50 });
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms).unref());
  return Promise.race([work, late]);
}

describe('NATS event transport', () => {
  it('delivers events to the subscriber in publishing order, exactly once each, and only to that subscriber', async () => {
    const notified = inbox();
    const billed = inbox();
    consume(notified.accept);
    consume(billed.accept, 'billing');
    const events = [paid(1), paid(2), paid(3)];

    expect(await notifications().deliver(events)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);

    await vi.waitFor(() => expect(notified.ids()).toEqual(events.map((e) => e.id)), { timeout: 10_000 });
    await everyEventAcked();
    expect(notified.accepted).toEqual(events);
    expect(billed.accepted).toEqual([]);
  });

  it('keeps events for a subscriber that starts after they were published', async () => {
    const events = [paid(1), paid(2), paid(3)];
    await notifications().deliver(events);

    const late = inbox();
    consume(late.accept);

    await vi.waitFor(() => expect(late.ids()).toEqual(events.map((e) => e.id)), { timeout: 10_000 });
  });

  it('stores an event sent twice to one subscriber once, but once for each subscriber', async () => {
    const event = paid(1);
    await notifications().deliver([event]);
    // A relay that crashed before recording the delivery sends it again.
    await notifications().deliver([event]);
    await natsEventTransport({ url: nats.url, destination: 'billing', logger }).deliver([event]);

    expect(await (await broker()).storedMessages()).toBe(2);
    const notified = inbox();
    consume(notified.accept);
    await everyEventAcked();
    expect(notified.ids()).toEqual([event.id]);
  });

  it('redelivers an event whose accept failed, keeping later events behind it', async () => {
    const events = [paid(1), paid(2), paid(3)];
    const notified = inbox([events[1]!.id]);
    consume(notified.accept);

    await notifications().deliver(events);

    await vi.waitFor(() => expect(notified.ids()).toEqual(events.map((e) => e.id)), { timeout: 10_000 });
    expect(notified.attempts.get(events[1]!.id)).toBe(2);
    await everyEventAcked();
  });

  it('terminates a message that is not an event, and goes on to the next', async () => {
    const { js } = await natsLink(nats.url);
    const subject = eventSubject('notifications', 'orders.OrderPaid');
    await notifications().deliver([paid(0)]); // creates the stream
    await js.publish(subject, 'not json at all');
    await js.publish(subject, JSON.stringify({ id: 'x', type: 'no type' }));
    const after = paid(1);
    await notifications().deliver([after]);

    const notified = inbox();
    consume(notified.accept);

    await vi.waitFor(() => expect(notified.accepted).toHaveLength(2), { timeout: 10_000 });
    expect(notified.accepted[1]).toEqual(after);
    await everyEventAcked();
    expect(logLines.filter((l) => l.includes('is not an event; terminated'))).toHaveLength(2);
  });

  it('fails fast while the broker is down, and carries on once it is back, the running consumer included', async () => {
    const notified = inbox();
    consume(notified.accept);
    const transport = notifications();
    const [before, during] = [paid(1), paid(2)];
    await transport.deliver([before]);
    await vi.waitFor(() => expect(notified.ids()).toEqual([before.id]), { timeout: 10_000 });

    await nats.stop('SIGKILL');
    await expect(within(10_000, transport.deliver([during]))).rejects.toBeInstanceOf(EventsUnreachable);

    await nats.restart();
    // The relay keeps the event and tries again until the broker answers.
    await vi.waitFor(() => transport.deliver([during]), { timeout: 20_000, interval: 250 });
    await vi.waitFor(() => expect(notified.ids()).toEqual([before.id, during.id]), { timeout: 20_000 });
    await everyEventAcked();
  });

  it('starts while the broker is down, and connects once it is up', async () => {
    await nats.stop();
    const notified = inbox();
    consume(notified.accept);
    const transport = notifications();
    await expect(within(10_000, transport.deliver([paid(1)]))).rejects.toBeInstanceOf(EventsUnreachable);

    await nats.restart();
    const event = paid(2);
    expect(await transport.deliver([event])).toEqual([{ ok: true }]);
    await vi.waitFor(() => expect(notified.ids()).toEqual([event.id]), { timeout: 20_000 });
  });

  it('creates its durable consumer again when it is deleted under it', async () => {
    const notified = inbox();
    consume(notified.accept);
    const [first, second] = [paid(1), paid(2)];
    await notifications().deliver([first]);
    await vi.waitFor(() => expect(notified.ids()).toEqual([first.id]), { timeout: 10_000 });

    await (await broker()).deleteConsumer('notifications');
    await notifications().deliver([second]);

    await vi.waitFor(() => expect(notified.ids()).toEqual([first.id, second.id]), { timeout: 20_000 });
  });

  it('stop() finishes the event in hand, acks it, and stops taking more', async () => {
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const inHand: string[] = [];
    const accepted: string[] = [];
    const consumer = consume(async (e) => {
      inHand.push(e.id);
      await held;
      accepted.push(e.id);
    });
    const [first, second] = [paid(1), paid(2)];
    await notifications().deliver([first]);
    await vi.waitFor(() => expect(inHand).toEqual([first.id]), { timeout: 10_000 });

    const stopped = consumer.stop();
    release();
    await stopped;
    expect(accepted).toEqual([first.id]);
    await everyEventAcked();

    // What arrives after the stop waits for the next consumer of the module.
    await notifications().deliver([second]);
    const next = inbox();
    consume(next.accept);
    await vi.waitFor(() => expect(next.ids()).toEqual([second.id]), { timeout: 10_000 });
  });

  it('lets two processes create the stream at the same time', async () => {
    const [a, b] = await Promise.all([connect({ servers: nats.url }), connect({ servers: nats.url })]);
    try {
      const managers = await Promise.all([jetstreamManager(a), jetstreamManager(b)]);
      await Promise.all([ensureStream(managers[0]), ensureStream(managers[1]), ensureStream(managers[0])]);
      expect((await managers[1].streams.info(EVENTS_STREAM)).config.subjects).toEqual(['carve.events.>']);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
