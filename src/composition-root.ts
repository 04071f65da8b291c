import 'reflect-metadata';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { type DependencyContainer, container as globalContainer, instanceCachingFactory } from 'tsyringe';
import { catalogModule } from './modules/catalog/catalog.module.js';
import { identityContract } from './modules/identity/contract.js';
import { identityModule } from './modules/identity/identity.module.js';
import { notificationsModule } from './modules/notifications/notifications.module.js';
import { ordersModule } from './modules/orders/orders.module.js';
import { paymentsModule } from './modules/payments/payments.module.js';
import type { Config } from './shared/config/config.js';
import type { AnyContract, Port } from './shared/contract/define-contract.js';
import { createLocalPort } from './shared/contract/local-port.js';
import type { ModuleDb } from './shared/db/module-db.js';
import { migrationsFolder, openModuleDb } from './shared/db/open-module-db.js';
import type { CarveModule } from './shared/di/define-module.js';
import {
  CONFIG,
  IMPLEMENTATION,
  LIFECYCLE,
  LOGGER,
  MODULE_DB,
  MODULE_LOGGER,
  OUTBOX,
  ROUTES,
  TOKEN_VERIFIER,
  portToken,
} from './shared/di/tokens.js';
import type { AppEnv } from './shared/http/app-env.js';
import { createTokenVerifier } from './shared/http/auth.js';
import { type ModuleReadiness, createHttpApp } from './shared/http/create-http-app.js';
import { HOSTED_ONLY, type OpenApiDoc, lastGoodDoc } from './shared/http/merge-openapi.js';
import type { Logger } from './shared/log/logger.js';
import { forwardTo } from './shared/remote/forward.js';
import { RemoteEndpoint } from './shared/remote/remote-endpoint.js';
import { createRemotePort } from './shared/remote/remote-port.js';
import { rpcRoutes } from './shared/remote/rpc-server.js';
import { serviceTokens } from './shared/remote/service-token.js';
import { routeEvents, subscribersOf } from './event-routing.js';
import { createOutbox } from './shared/events/outbox.js';
import { eventRoutes } from './shared/remote/event-receiver.js';
import { type PlacementOptions, placeModules } from './placement.js';
import { carveAdmin } from './shared/admin/carve-admin.js';
import { type CarveMetrics, createMetrics } from './shared/observe/metrics.js';
import { instrumentPort } from './shared/observe/instrument-port.js';
import { watchGauges } from './shared/observe/carve-gauges.js';

/** Every module of the storefront, in start-up order: identity first, as every route needs its key. */
export const ALL_MODULES: readonly CarveModule[] = [
  identityModule,
  catalogModule,
  paymentsModule,
  notificationsModule,
  ordersModule,
];

export interface HostedModule {
  module: CarveModule;
  container: DependencyContainer;
  db: ModuleDb;
  /** The module's in-process port: what internal RPC serves. */
  port: () => Port<AnyContract>;
}

export interface Carve {
  app: OpenAPIHono<AppEnv>;
  container: DependencyContainer;
  hosted: HostedModule[];
  /** Remote modules this process calls or forwards to, by name. */
  remote: Map<string, RemoteEndpoint>;
  /** This process's metrics, also served at GET /metrics. */
  metrics: CarveMetrics;
  /** Migrates every hosted module's database, then runs each module's start hook. */
  start(): Promise<void>;
  /** Stops every module, closes every database handle and every remote connection. */
  stop(): Promise<void>;
}

/** The caller named in service tokens for calls the process's HTTP edge makes, such as fetching identity's key. */
const EDGE_CALLER = 'edge';

/**
 * buildContainer is the composition root: the one place that knows which modules this
 * process hosts, which run elsewhere, and which adapter sits behind each port. Each
 * hosted module gets a child container holding its own database handle and internals;
 * only ports reach the root. A port to a remote module is the HTTP client, built from
 * the same contract, and nothing else in the process can tell the difference.
 *
 * @example const { container, hosted } = buildContainer(config, logger)
 */
export function buildContainer(
  config: Config,
  logger: Logger,
  modules: readonly CarveModule[] = ALL_MODULES,
  placement: PlacementOptions = {},
  metrics: CarveMetrics = createMetrics({ processMetrics: false }),
) {
  const { hosted: hostedModules, remote: remoteUrls } = placeModules(config, modules, placement);
  const root = globalContainer.createChildContainer();
  root.register(CONFIG, { useValue: config });
  root.register(LOGGER, { useValue: logger });

  const tokens = config.SERVICE_SECRET ? serviceTokens(config.SERVICE_SECRET) : undefined;
  const remote = new Map<string, RemoteEndpoint>();
  for (const [name, urls] of remoteUrls) {
    if (!tokens) throw new Error(`SERVICE_SECRET is required: ${name} runs in another process`);
    remote.set(name, new RemoteEndpoint({ module: name, urls, tokens, logger }));
  }
  // Every port a caller gets is timed and traced under the caller's name: that is what
  // draws each edge of the topology, with its rate and latency.
  const local = new Map<string, () => Port<AnyContract>>();
  const portFor = (contract: AnyContract, caller: string) =>
    remote.has(contract.name)
      ? instrumentPort(
          createRemotePort(contract, remote.get(contract.name)!, { caller, timeoutMs: config.RPC_TIMEOUT }) satisfies Port<AnyContract>,
          contract,
          { caller, mode: 'remote', metrics },
        )
      : instrumentPort(localPort(contract.name)(), contract, { caller, mode: 'in-process', metrics });
  const localPort = (name: string) => {
    const port = local.get(name);
    // Placement guarantees each used module is here or remote; this is the order of registration going wrong.
    if (!port) throw new Error(`${name}'s port was asked for before ${name} was registered`);
    return port;
  };

  const hosted: HostedModule[] = [];
  const subscribers = subscribersOf(modules);
  for (const module of hostedModules) {
    const child = root.createChildContainer();
    const db = openModuleDb(module.name, config);
    child.register(MODULE_DB, { useValue: db });
    child.register(OUTBOX, { useValue: createOutbox(db, subscribers) });
    child.register(MODULE_LOGGER, { useValue: logger.child({ module: module.name }) });
    // Resolved on first use, when every module this one calls is registered.
    for (const used of module.uses) {
      child.register(portToken(used), { useFactory: instanceCachingFactory(() => portFor(used, module.name)) });
    }
    module.register(child);
    const port = cachedPort(() =>
      createLocalPort(module.contract, child.resolve(IMPLEMENTATION), { strict: config.CARVE_STRICT_PORTS }),
    );
    if (!remote.has(module.name)) local.set(module.name, port);
    hosted.push({ module, container: child, db, port });
  }
  // The edge's own calls (checking a user's token with identity, say) are the `edge` caller's.
  for (const module of modules) {
    if (remote.has(module.name) || local.has(module.name)) {
      root.register(portToken(module.contract), { useFactory: instanceCachingFactory(() => portFor(module.contract, EDGE_CALLER)) });
    }
  }

  root.register(TOKEN_VERIFIER, {
    useFactory: instanceCachingFactory((c) => {
      const identity = c.resolve(portToken(identityContract));
      return createTokenVerifier(async () => (await identity.getVerificationKey({})).jwk);
    }),
  });
  return { container: root, hosted, remote, tokens, metrics };
}

function cachedPort(make: () => Port<AnyContract>) {
  let port: Port<AnyContract> | undefined;
  return () => {
    port ??= make();
    return port;
  };
}

async function readiness(hosted: HostedModule[], remote: Map<string, RemoteEndpoint>, loopback: boolean) {
  const local = await Promise.all(
    hosted.map(async ({ module, db }): Promise<ModuleReadiness> => {
      const database = { dialect: db.dialect, location: db.location, ok: true } as NonNullable<ModuleReadiness['database']>;
      try {
        await db.ping();
      } catch (err) {
        database.ok = false;
        database.error = err instanceof Error ? err.message : String(err);
      }
      return { name: module.name, mode: loopback ? 'loopback' : 'in-process', ok: database.ok, database };
    }),
  );
  const away = loopback
    ? []
    : await Promise.all(
        [...remote.values()].map(async (endpoint): Promise<ModuleReadiness> => {
          const state = await endpoint.probe();
          return { name: endpoint.module, mode: 'remote', ok: state.instances.some((i) => i.healthy), ...state };
        }),
      );
  // Only what this process hosts decides its readiness: a remote module that is down
  // shows here, but must not take every caller out of rotation with it.
  return { ready: local.every((m) => m.ok), modules: [...local, ...away] };
}

/**
 * createCarve builds the whole process: container, HTTP app and lifecycle. Where each
 * module runs comes from the environment (`<MODULE>_URL`) or, for a standalone
 * service or the loopback test runner, from `placement`.
 *
 * @example const carve = createCarve(loadConfig(process.env), logger); await carve.start()
 */
export function createCarve(
  config: Config,
  logger: Logger,
  placement: PlacementOptions = {},
  modules: readonly CarveModule[] = ALL_MODULES,
): Carve {
  const { container, hosted, remote, tokens, metrics } = buildContainer(config, logger, modules, placement, createMetrics());
  const events = routeEvents({ config, logger, hosted, remote, metrics });
  watchGauges(metrics, { databases: hosted.map((h) => h.db), remote });
  const routes = hosted
    .filter(({ container: c }) => c.isRegistered(ROUTES))
    .map(({ module, container: c }) => ({ module: module.name, router: c.resolve(ROUTES) }));
  const hostedNames = new Set(hosted.map((h) => h.module.name));
  // The process clients talk to (a monolith or a gateway) forwards the public routes of
  // modules hosted elsewhere. A standalone service answers only its own.
  const forwards = [...remote.values()]
    .filter((endpoint) => !placement.host && !hostedNames.has(endpoint.module))
    .map((endpoint) => ({
      module: endpoint.module,
      handler: forwardTo(endpoint, config.RPC_TIMEOUT),
      openApi: lastGoodDoc(() => endpoint.fetchJson<OpenApiDoc>(`/openapi.json?${HOSTED_ONLY}`)),
    }));
  const ready = () => readiness(hosted, remote, placement.loopbackUrl !== undefined);
  // Names this process in its traces and on /_carve: the module a service hosts, or `carve`.
  const serviceName = placement.host ? placement.host.join('+') : 'carve';
  const admin = carveAdmin({
    modules,
    metrics,
    readiness: ready,
    // Resolved per request: identity's key is fetched on first use, not while the process is built.
    verifier: { verify: (token) => container.resolve(TOKEN_VERIFIER).verify(token) },
    serviceName,
  });
  const app = createHttpApp({
    title: 'Carve storefront',
    version: '0.1.0',
    bodyLimit: config.BODY_LIMIT,
    logger,
    routes,
    rpc: rpcRoutes(
      hosted.map((h) => ({ contract: h.module.contract, port: h.port })),
      tokens,
    ),
    events: eventRoutes(events.hub, tokens),
    forwards,
    readiness: ready,
    metrics,
    admin: admin.app,
  });
  const lifecycles = () => hosted.filter((h) => h.container.isRegistered(LIFECYCLE)).map((h) => h.container.resolve(LIFECYCLE));

  return {
    app,
    container,
    hosted,
    remote,
    metrics,
    async start() {
      for (const { module, db } of hosted) {
        const applied = await db.migrate(module.migrations?.(db.dialect) ?? migrationsFolder(module.name, db.dialect));
        if (applied > 0) logger.info({ module: module.name, applied }, 'migrations applied');
      }
      for (const lifecycle of lifecycles()) await lifecycle.start?.();
      events.start();
      admin.start();
    },
    async stop() {
      admin.stop();
      await events.stop();
      for (const lifecycle of lifecycles().reverse()) await lifecycle.stop?.();
      await Promise.all(hosted.map(({ db }) => db.close()));
      await Promise.all([...remote.values()].map((endpoint) => endpoint.close()));
    },
  };
}
