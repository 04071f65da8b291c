import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { CallHistogram } from './call-histogram.js';

/** Where the callee of a port call ran. */
export type PortMode = 'in-process' | 'remote';
/** ok: an answer; error: a declared error or a bug; unavailable: the callee could not be reached. */
export type CallOutcome = 'ok' | 'error' | 'unavailable';

type PortLabels = 'caller' | 'module' | 'method' | 'mode' | 'outcome';
type DeliveryLabels = 'publisher' | 'subscriber' | 'transport' | 'outcome';
type RequestLabels = 'method' | 'route' | 'status' | 'ok';

/** CarveMetrics is one process's (one Carve's) metrics, in a registry of its own. */
export interface CarveMetrics {
  registry: Registry;
  /** Every HTTP request, by method, route pattern and status; counted as http_requests_total too. */
  httpRequests: CallHistogram<RequestLabels>;
  /** Every port call, timed by the caller. `caller` is the calling module, or `edge` for the HTTP edge. */
  portCalls: CallHistogram<PortLabels>;
  /** Every batch of events a relay handed to a subscriber's transport, timed by the publisher. */
  eventDeliveries: CallHistogram<DeliveryLabels>;
  /** Collected at scrape time from the outboxes, breakers and pools; see carve-gauges.ts. */
  outboxBacklog: Gauge<'module'>;
  deadEvents: Gauge<'module' | 'side'>;
  breakerState: Gauge<'module'>;
  dbConnections: Gauge<'module' | 'state'>;
  /** onCollect sets how a gauge is refreshed, each time the registry is read. */
  onCollect(gauge: GaugeName, refresh: () => Promise<void> | void): void;
}

export type GaugeName = 'outboxBacklog' | 'deadEvents' | 'breakerState' | 'dbConnections';

// From a few microseconds (an in-process call) to the 15 s default RPC deadline.
const CALL_BUCKETS = [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15];

// The names, labels and buckets @hono/prometheus gave HTTP requests, which timed them
// until its middleware layer and label hashing were found to cost a port call between
// processes about 5 µs (1.32 against 1.27 of the floor, README "What the seams cost");
// dashboards built on them keep working.
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** Breaker states as numbers, for a gauge: 0 closed, 1 half-open, 2 open, 3 isolated. */
export const BREAKER_VALUES = { closed: 0, 'half-open': 1, open: 2, isolated: 3 } as const;

/**
 * createMetrics builds the metrics of one Carve. Each Carve has its own registry, so
 * the several Carves a test runs in one process do not add into each other.
 *
 * @example const metrics = createMetrics(); app.get('/metrics', async (c) => c.text(await metrics.registry.metrics()))
 */
export function createMetrics({ processMetrics = true } = {}): CarveMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const refreshers = new Map<GaugeName, () => Promise<void> | void>();
  const collect = (gauge: GaugeName) => () => refreshers.get(gauge)?.();
  const httpRequests = new CallHistogram({
    name: 'http_request_duration_seconds',
    help: 'Duration of HTTP requests in seconds',
    labelNames: ['method', 'route', 'status', 'ok'],
    buckets: HTTP_BUCKETS,
    registers,
  });
  httpRequests.countedAs('http_requests_total', 'Total number of HTTP requests', registers);
  return {
    onCollect: (gauge, refresh) => {
      refreshers.set(gauge, refresh);
    },
    registry,
    httpRequests,
    portCalls: new CallHistogram({
      name: 'carve_port_call_duration_seconds',
      help: 'Port calls as the caller saw them, by calling module, called module and method, where the callee ran, and outcome',
      labelNames: ['caller', 'module', 'method', 'mode', 'outcome'],
      buckets: CALL_BUCKETS,
      registers,
    }),
    eventDeliveries: new CallHistogram({
      name: 'carve_event_delivery_duration_seconds',
      help: 'Batches of events handed from a publisher outbox to a subscriber, by transport and outcome',
      labelNames: ['publisher', 'subscriber', 'transport', 'outcome'],
      buckets: CALL_BUCKETS,
      registers,
    }),
    outboxBacklog: new Gauge({
      collect: collect('outboxBacklog'),
      name: 'carve_outbox_backlog',
      help: 'Event deliveries waiting in a hosted module outbox',
      labelNames: ['module'],
      registers,
    }),
    deadEvents: new Gauge({
      collect: collect('deadEvents'),
      name: 'carve_dead_events',
      help: 'Dead events of a hosted module: deliveries out of its outbox, or events in its inbox, that ran out of attempts',
      labelNames: ['module', 'side'],
      registers,
    }),
    breakerState: new Gauge({
      collect: collect('breakerState'),
      name: 'carve_breaker_state',
      help: 'Circuit breaker of each remote module: 0 closed, 1 half-open, 2 open, 3 isolated',
      labelNames: ['module'],
      registers,
    }),
    dbConnections: new Gauge({
      collect: collect('dbConnections'),
      name: 'carve_db_connections',
      help: 'Database connections of a hosted module on Postgres: in use, and the pool size',
      labelNames: ['module', 'state'],
      registers,
    }),
  };
}
