import { z } from 'zod';
import type { CarveModule } from '../di/define-module.js';
import type { ModuleReadiness } from '../http/create-http-app.js';
import type { EdgeRate } from './metric-window.js';

export const TopologyModule = z.object({
  name: z.string(),
  /** A loopback module runs here too, so it shows as in-process. */
  mode: z.enum(['in-process', 'remote']),
  urls: z.array(z.string()).optional(),
  healthy: z.boolean(),
  breaker: z.string().optional(),
  outboxBacklog: z.number().optional(),
  deadEvents: z.number().optional(),
});

export const TopologyEdge = z.object({
  from: z.string(),
  to: z.string(),
  /** port: `from` calls `to` (module.uses); event: `to` handles events `from` publishes (module.subscribes). */
  kind: z.enum(['port', 'event']),
  /** The event types an event edge carries. */
  events: z.array(z.string()).optional(),
  callsPerSecond: z.number(),
  p50Ms: z.number().nullable(),
  p99Ms: z.number().nullable(),
  errorsPerSecond: z.number().optional(),
});

/** Topology is what GET /_carve/api/topology answers and the page draws. */
export const Topology = z.object({
  generatedAt: z.string(),
  process: z.object({ service: z.string() }),
  /** Seconds the rates and percentiles are measured over. */
  windowSeconds: z.number(),
  modules: z.array(TopologyModule),
  edges: z.array(TopologyEdge),
});
export type Topology = z.infer<typeof Topology>;
export type TopologyModule = z.infer<typeof TopologyModule>;
export type TopologyEdge = z.infer<typeof TopologyEdge>;

export interface TopologyInput {
  modules: readonly CarveModule[];
  readiness: readonly ModuleReadiness[];
  /** Live numbers of an edge, by `<kind>:<from>-><to>`. */
  rate(edge: string): EdgeRate;
  /** Gauge values by module: events waiting in its outbox, and dead events on either side. */
  backlog: ReadonlyMap<string, number>;
  dead: ReadonlyMap<string, number>;
  service: string;
  windowSeconds: number;
  now?: Date;
}

/**
 * edgeKey names an edge the way the metric window files it.
 *
 * @example edgeKey('port', 'orders', 'payments') // 'port:orders->payments'
 */
export const edgeKey = (kind: TopologyEdge['kind'], from: string, to: string) => `${kind}:${from}->${to}`;

/**
 * buildTopology joins what the code declares (modules, the ports they use, the events
 * they handle) with what this process sees now (where each module runs, its health,
 * and the live rates). Only modules this process knows of are shown: a standalone
 * service does not know where modules it never calls run.
 *
 * @example buildTopology({ modules: ALL_MODULES, readiness, rate: window.rate, backlog, dead, service: 'carve', windowSeconds: 30 })
 */
export function buildTopology(input: TopologyInput): Topology {
  const seen = new Map(input.readiness.map((r) => [r.name, r]));
  const shown = input.modules.filter((m) => seen.has(m.name));
  const names = new Set(shown.map((m) => m.name));
  const modules = shown.map((m): TopologyModule => {
    const r = seen.get(m.name)!;
    if (r.mode === 'remote') {
      return { name: m.name, mode: 'remote', urls: (r.instances ?? []).map((i) => i.url), healthy: r.ok, breaker: r.breaker };
    }
    return { name: m.name, mode: 'in-process', healthy: r.ok, outboxBacklog: input.backlog.get(m.name) ?? 0, deadEvents: input.dead.get(m.name) ?? 0 };
  });

  const declared = new Map<string, { kind: TopologyEdge['kind']; from: string; to: string; events: Set<string> }>();
  const declare = (kind: TopologyEdge['kind'], from: string, to: string, event?: string) => {
    if (!names.has(from) || !names.has(to)) return;
    const key = edgeKey(kind, from, to);
    const edge = declared.get(key) ?? { kind, from, to, events: new Set<string>() };
    if (event) edge.events.add(event);
    declared.set(key, edge);
  };
  for (const m of shown) {
    for (const used of m.uses) declare('port', m.name, used.name);
    for (const ref of m.subscribes ?? []) declare('event', ref.module, m.name, ref.type);
  }
  const edges = [...declared.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, { kind, from, to, events }]): TopologyEdge => {
      const live = input.rate(key);
      return {
        from,
        to,
        kind,
        ...(kind === 'event' ? { events: [...events].sort() } : {}),
        callsPerSecond: round(live.callsPerSecond),
        p50Ms: live.p50Ms === null ? null : round(live.p50Ms),
        p99Ms: live.p99Ms === null ? null : round(live.p99Ms),
        errorsPerSecond: round(live.errorsPerSecond),
      };
    });
  return Topology.parse({
    generatedAt: (input.now ?? new Date()).toISOString(),
    process: { service: input.service },
    windowSeconds: input.windowSeconds,
    modules,
    edges,
  });
}

const round = (n: number) => Math.round(n * 1000) / 1000;
