import type { DependencyContainer } from 'tsyringe';
import type { Config } from './shared/config/config.js';
import type { ModuleDb } from './shared/db/module-db.js';
import type { CarveModule } from './shared/di/define-module.js';
import { EVENT_HANDLERS } from './shared/di/tokens.js';
import { type EventHub, createEventHub } from './shared/events/event-hub.js';
import type { Subscription } from './shared/events/subscriptions.js';
import type { EventTransport } from './shared/events/transport.js';
import type { Logger } from './shared/log/logger.js';
import { httpEventTransport } from './shared/remote/event-push.js';
import { closeNats, natsEventTransport, startNatsConsumer } from './shared/remote/nats-events.js';
import type { RemoteEndpoint } from './shared/remote/remote-endpoint.js';
import type { CarveMetrics } from './shared/observe/metrics.js';
import { instrumentTransport } from './shared/observe/instrument-transport.js';

export { subscribersOf } from './shared/di/subscribers-of.js';

/** subscriptionsOf reads a hosted module's handlers and checks they match what it declares. */
function subscriptionsOf(module: CarveModule, container: DependencyContainer): Map<string, Subscription> {
  const handlers = container.isRegistered(EVENT_HANDLERS) ? container.resolveAll(EVENT_HANDLERS) : [];
  const byType = new Map(handlers.map((s) => [s.ref.type, s]));
  const declared = new Set((module.subscribes ?? []).map((r) => r.type));
  for (const type of declared) if (!byType.has(type)) throw new Error(`${module.name} subscribes to ${type} but registers no handler for it`);
  for (const type of byType.keys()) if (!declared.has(type)) throw new Error(`${module.name} handles ${type} but does not list it in subscribes`);
  return byType;
}

export interface EventRoutingOptions {
  config: Config;
  logger: Logger;
  hosted: readonly { module: CarveModule; container: DependencyContainer; db: ModuleDb }[];
  /** Remote modules this process reaches over HTTP, by name. */
  remote: ReadonlyMap<string, RemoteEndpoint>;
  /** Each hand-over to a subscriber is timed into these. */
  metrics: CarveMetrics;
}

export interface EventRouting {
  hub: EventHub;
  start(): void;
  stop(): Promise<void>;
}

/**
 * routeEvents builds the process's event hub and picks each subscriber's transport from
 * the topology: one hosted here gets events in-process, still through its inbox; one in
 * another process gets them through NATS JetStream when EVENTS_URL is set, and pushed to
 * its `/_events` otherwise. With a broker, each hosted subscriber also runs its durable
 * consumer, which acks an event once it is in the inbox.
 *
 * @example const events = routeEvents({ config, logger, hosted, remote }); events.start()
 */
export function routeEvents({ config, logger, hosted, remote, metrics }: EventRoutingOptions): EventRouting {
  const broker = config.EVENTS_URL;
  const transports = new Map<string, EventTransport | undefined>();
  let hub: EventHub;
  const transportTo = (publisher: string, destination: string) => {
    const key = `${publisher}>${destination}`;
    if (!transports.has(key)) {
      const transport = pickTransport(publisher, destination);
      transports.set(key, transport && instrumentTransport(transport, { publisher, subscriber: destination, metrics }));
    }
    return transports.get(key);
  };
  const hostedNames = new Set(hosted.map((h) => h.module.name));
  const pickTransport = (publisher: string, destination: string): EventTransport | undefined => {
    const endpoint = remote.get(destination);
    if (broker && (endpoint || !hostedNames.has(destination))) return natsEventTransport({ url: broker, destination, logger });
    if (endpoint) return httpEventTransport({ publisher, endpoint, timeoutMs: config.RPC_TIMEOUT });
    if (hostedNames.has(destination)) return hub.localTransport(destination);
    return undefined;
  };
  hub = createEventHub({
    hosts: hosted.map(({ module, container, db }) => ({ name: module.name, db, subscriptions: subscriptionsOf(module, container) })),
    transportTo,
    maxAttempts: config.MAX_ATTEMPTS,
    relay: config.EVENTS_RELAY,
    logger,
  });
  let consumers: { stop(): Promise<void> }[] = [];
  return {
    hub,
    start() {
      hub.start();
      if (!broker) return;
      consumers = hosted
        .filter(({ module }) => hub.subscribes(module.name))
        .map(({ module }) =>
          startNatsConsumer({
            url: broker,
            module: module.name,
            // The broker cannot hand a refusal back to the publisher: keep refused events, dead, in the inbox.
            accept: (event) => hub.accept(module.name, [event], { keepRefused: true }).then(() => {}),
            logger: logger.child({ module: module.name }),
          }),
        );
    },
    async stop() {
      await Promise.all(consumers.map((c) => c.stop()));
      await hub.stop();
      if (broker) await closeNats();
    },
  };
}
