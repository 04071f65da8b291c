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
  ROUTES,
  TOKEN_VERIFIER,
  portToken,
} from './shared/di/tokens.js';
import type { AppEnv } from './shared/http/app-env.js';
import { createTokenVerifier } from './shared/http/auth.js';
import { type ModuleReadiness, createHttpApp } from './shared/http/create-http-app.js';
import type { Logger } from './shared/log/logger.js';

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
}

export interface Carve {
  app: OpenAPIHono<AppEnv>;
  container: DependencyContainer;
  hosted: HostedModule[];
  /** Migrates every module's database, then runs each module's start hook. */
  start(): Promise<void>;
  /** Stops every module and closes every database handle. */
  stop(): Promise<void>;
}

/**
 * buildContainer is the composition root: the one place that knows which modules this
 * process hosts and which adapter sits behind each port. Each module gets a child
 * container holding its own database handle and internals; only ports reach the root.
 *
 * @example const { container, hosted } = buildContainer(config, logger)
 */
export function buildContainer(config: Config, logger: Logger, modules: readonly CarveModule[] = ALL_MODULES) {
  const root = globalContainer.createChildContainer();
  root.register(CONFIG, { useValue: config });
  root.register(LOGGER, { useValue: logger });

  const hosted: HostedModule[] = [];
  for (const module of modules) {
    const child = root.createChildContainer();
    const db = openModuleDb(module.name, config);
    child.register(MODULE_DB, { useValue: db });
    child.register(MODULE_LOGGER, { useValue: logger.child({ module: module.name }) });
    module.register(child);
    root.register(portToken(module.contract), {
      useFactory: instanceCachingFactory(() =>
        createLocalPort(module.contract, child.resolve(IMPLEMENTATION), { strict: config.CARVE_STRICT_PORTS }),
      ),
    });
    hosted.push({ module, container: child, db });
  }

  const names = new Set(modules.map((m) => m.name));
  for (const module of modules) {
    for (const used of module.uses) {
      if (!names.has(used.name)) throw new Error(`${module.name} calls ${used.name}, which no configuration provides`);
    }
  }

  root.register(TOKEN_VERIFIER, {
    useFactory: instanceCachingFactory((c) => {
      const identity = c.resolve(portToken(identityContract));
      return createTokenVerifier(async () => (await identity.getVerificationKey({})).jwk);
    }),
  });
  return { container: root, hosted };
}

async function readiness(hosted: HostedModule[]): Promise<ModuleReadiness[]> {
  return Promise.all(
    hosted.map(async ({ module, db }) => {
      const database = { dialect: db.dialect, location: db.location, ok: true } as NonNullable<
        ModuleReadiness['database']
      >;
      try {
        await db.ping();
      } catch (err) {
        database.ok = false;
        database.error = err instanceof Error ? err.message : String(err);
      }
      return { name: module.name, mode: 'in-process' as const, ok: database.ok, database };
    }),
  );
}

/**
 * createCarve builds the whole process: container, HTTP app and lifecycle.
 *
 * @example const carve = createCarve(loadConfig(process.env), logger); await carve.start()
 */
export function createCarve(config: Config, logger: Logger, modules: readonly CarveModule[] = ALL_MODULES): Carve {
  const { container, hosted } = buildContainer(config, logger, modules);
  const routes = hosted
    .filter(({ container: c }) => c.isRegistered(ROUTES))
    .map(({ module, container: c }) => ({ module: module.name, router: c.resolve(ROUTES) }));
  const app = createHttpApp({
    title: 'Carve storefront',
    version: '0.1.0',
    bodyLimit: config.BODY_LIMIT,
    logger,
    routes,
    readiness: () => readiness(hosted),
  });
  const lifecycles = () => hosted.filter((h) => h.container.isRegistered(LIFECYCLE)).map((h) => h.container.resolve(LIFECYCLE));

  return {
    app,
    container,
    hosted,
    async start() {
      for (const { module, db } of hosted) {
        const applied = await db.migrate(migrationsFolder(module.name, db.dialect));
        if (applied > 0) logger.info({ module: module.name, applied }, 'migrations applied');
      }
      for (const lifecycle of lifecycles()) await lifecycle.start?.();
    },
    async stop() {
      for (const lifecycle of lifecycles().reverse()) await lifecycle.stop?.();
      await Promise.all(hosted.map(({ db }) => db.close()));
    },
  };
}
