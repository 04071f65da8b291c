import type { ModuleDb } from '../db/module-db.js';
import type { Logger } from '../log/logger.js';
import type { EventEnvelope } from './envelope.js';
import { createInboxProcessor, receiveEvents } from './inbox.js';
import { publishedIn } from './outbox.js';
import { createOutboxRelay } from './outbox-relay.js';
import { EVENT_RETENTION_MS, pruneEvents } from './retention.js';
import { type Subscription, checkEnvelope } from './subscriptions.js';
import type { DeliveryOutcome, EventTransport } from './transport.js';
import { WorkLoop } from '../async/work-loop.js';

/** EventHost is one hosted module as events see it: its database and what it subscribes to. */
export interface EventHost {
  name: string;
  db: ModuleDb;
  subscriptions: ReadonlyMap<string, Subscription>;
}

export interface EventHubOptions {
  hosts: readonly EventHost[];
  /** The transport from a hosted publisher to a subscriber, or undefined when there is no route to it. */
  transportTo: (publisher: string, destination: string) => EventTransport | undefined;
  maxAttempts: number;
  /** 'paused' keeps every event in the outboxes: for maintenance, and to prove a crash before relaying loses nothing. */
  relay: 'on' | 'paused';
  logger: Logger;
}

/** How often loops look for due work when nothing nudged them: the latest a retry or resubmission waits. */
const IDLE_MS = 500;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * createEventHub runs events for the modules a process hosts: an outbox relay per module,
 * woken by each commit, and an inbox processor per subscribing module, woken by each
 * event received. Transports hand events in through `accept`.
 *
 * @example const hub = createEventHub({ hosts, transportTo, maxAttempts: 10, relay: 'on', logger }); hub.start()
 */
export function createEventHub({ hosts, transportTo, maxAttempts, relay, logger }: EventHubOptions) {
  const byName = new Map(hosts.map((h) => [h.name, h]));
  const relays = new Map<string, WorkLoop>();
  const processors = new Map<string, WorkLoop>();
  const pruners: WorkLoop[] = [];
  for (const host of hosts) {
    const log = logger.child({ module: host.name });
    pruners.push(
      new WorkLoop({
        name: `${host.name} event retention`,
        idleMs: PRUNE_EVERY_MS,
        logger: log,
        runOnce: async () => {
          const pruned = await pruneEvents(host.db, EVENT_RETENTION_MS);
          if (pruned > 0) log.info({ pruned }, 'old delivered and handled events pruned');
          return false;
        },
      }),
    );
    if (relay === 'on') {
      const outboxRelay = createOutboxRelay({ db: host.db, transportTo: (d) => transportTo(host.name, d), maxAttempts, logger: log });
      const loop = new WorkLoop({ name: `${host.name} outbox relay`, runOnce: outboxRelay.runOnce, idleMs: IDLE_MS, logger: log });
      host.db.onCommit((q) => {
        if (publishedIn(q)) loop.nudge();
      });
      relays.set(host.name, loop);
    }
    if (host.subscriptions.size > 0) {
      const processor = createInboxProcessor({ db: host.db, subscriptions: host.subscriptions, maxAttempts, logger: log });
      processors.set(host.name, new WorkLoop({ name: `${host.name} inbox`, runOnce: processor.runOnce, idleMs: IDLE_MS, logger: log }));
    }
  }

  const hostOf = (module: string) => {
    const host = byName.get(module);
    if (!host || host.subscriptions.size === 0) throw new Error(`${module} takes no events in this process`);
    return host;
  };

  const hub = {
    /** subscribes tells whether `module` is hosted here and takes events. */
    subscribes: (module: string) => (byName.get(module)?.subscriptions.size ?? 0) > 0,

    /** refusals says, per event, why `module` cannot take it (undefined where it can). */
    refusals(module: string, events: readonly EventEnvelope[]): (string | undefined)[] {
      const { subscriptions } = hostOf(module);
      return events.map((e) => checkEnvelope(subscriptions, e));
    },

    /**
     * accept stores the events `module` can take in its inbox and refuses the rest.
     * `keepRefused` stores refused ones too, dead with their reason: for a broker,
     * which cannot hand a refusal back to the publisher.
     */
    async accept(module: string, events: readonly EventEnvelope[], { keepRefused = false } = {}): Promise<DeliveryOutcome[]> {
      const host = hostOf(module);
      const reasons = events.map((e) => checkEnvelope(host.subscriptions, e));
      const refused = new Map(events.flatMap((e, i) => (reasons[i] ? [[e.id, reasons[i]!] as const] : [])));
      await receiveEvents(host.db, keepRefused ? events : events.filter((e) => !refused.has(e.id)), keepRefused ? refused : undefined);
      processors.get(module)?.nudge();
      return reasons.map((error) => (error === undefined ? { ok: true } : { ok: false, error }));
    },

    /** localTransport delivers to a subscriber hosted in this process, still through its inbox. */
    localTransport(destination: string): EventTransport {
      return { kind: 'in-process', deliver: (events) => hub.accept(destination, events) };
    },

    start(): void {
      for (const loop of [...relays.values(), ...processors.values(), ...pruners]) loop.start();
    },

    async stop(): Promise<void> {
      await Promise.all([...relays.values(), ...processors.values(), ...pruners].map((loop) => loop.stop()));
    },
  };
  return hub;
}

export type EventHub = ReturnType<typeof createEventHub>;
