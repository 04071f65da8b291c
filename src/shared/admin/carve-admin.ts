import { Hono } from 'hono';
import type { CarveModule } from '../di/define-module.js';
import type { AppEnv } from '../http/app-env.js';
import { type TokenVerifier, requireRole, requireUser } from '../http/auth.js';
import type { ModuleReadiness } from '../http/create-http-app.js';
import type { CarveMetrics } from '../observe/metrics.js';
import { createMetricWindow } from './metric-window.js';
import { PAGE_ASSETS, PAGE_CSP, pageAsset } from './page-assets.js';
import { buildTopology, edgeKey } from './topology.js';

export interface CarveAdminOptions {
  /** Every module of the system, wherever it runs: the graph is drawn from their declarations. */
  modules: readonly CarveModule[];
  metrics: CarveMetrics;
  /** Where each module runs and whether it answers, as /ready reports it. */
  readiness: () => Promise<{ modules: ModuleReadiness[] }>;
  verifier: TokenVerifier;
  serviceName: string;
  windowMs?: number;
  intervalMs?: number;
}

export interface CarveAdmin {
  /** Mounted at /_carve: the page, its script and style, and GET /api/topology. */
  app: Hono<AppEnv>;
  /** Starts sampling the metrics, so the page shows rates as soon as it opens. */
  start(): void;
  stop(): void;
}

/**
 * carveAdmin serves the live topology page. The page itself holds no data and loads
 * for anyone, showing a sign-in form; the topology it draws comes from
 * GET /_carve/api/topology, which only an admin's bearer token opens.
 *
 * @example const admin = carveAdmin({ modules, metrics, readiness, verifier, serviceName: 'carve' }); createHttpApp({ ..., admin: admin.app })
 */
export function carveAdmin(opts: CarveAdminOptions): CarveAdmin {
  const { metrics } = opts;
  const window = createMetricWindow({
    windowMs: opts.windowMs,
    intervalMs: opts.intervalMs,
    sources: [
      { histogram: metrics.portCalls, edgeOf: (l) => edgeKey('port', String(l.caller), String(l.module)) },
      { histogram: metrics.eventDeliveries, edgeOf: (l) => edgeKey('event', String(l.publisher), String(l.subscriber)) },
    ],
  });
  const app = new Hono<AppEnv>();

  app.get('/', (c) => {
    c.header('content-security-policy', PAGE_CSP);
    return c.html(pageAsset('carve.html'));
  });
  for (const [file, type] of Object.entries(PAGE_ASSETS)) {
    if (file.endsWith('.html')) continue;
    app.get(`/${file}`, (c) => c.body(pageAsset(file), 200, { 'content-type': type, 'cache-control': 'no-cache' }));
  }

  app.get('/api/topology', requireUser(opts.verifier), requireRole('admin'), async (c) => {
    // The page polls every two seconds, which keeps the window filling even without the timer.
    const [{ modules }] = await Promise.all([opts.readiness(), window.sampleIfStale()]);
    const topology = buildTopology({
      modules: opts.modules,
      readiness: modules,
      rate: window.rate,
      backlog: await byModule(metrics.outboxBacklog),
      dead: await byModule(metrics.deadEvents),
      service: opts.serviceName,
      windowSeconds: (opts.windowMs ?? 30_000) / 1000,
    });
    c.header('cache-control', 'no-store');
    return c.json(topology);
  });

  return { app, start: window.start, stop: window.stop };
}

/** byModule sums a gauge's values by their `module` label (deadEvents has a `side` too). */
async function byModule(gauge: CarveMetrics['outboxBacklog'] | CarveMetrics['deadEvents']): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  for (const { value, labels } of (await gauge.get()).values) {
    const module = String(labels.module ?? '');
    if (module) sums.set(module, (sums.get(module) ?? 0) + value);
  }
  return sums;
}
