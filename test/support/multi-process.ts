import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type ChildService, startChild } from './child-service.js';
import { createTestDatabase } from './postgres.js';
import { type NatsServer, startNatsServer } from './nats-server.js';
import { freePort } from './free-port.js';

/** Modules in the order they can start: each one's dependencies come earlier. */
const LAYERS = [['identity'], ['catalog', 'payments', 'notifications'], ['orders']] as const;
const ON_POSTGRES = new Set(['payments']);

export interface ClusterOptions {
  /** Variables for one process only, by module name or `gateway`. */
  envFor?: Record<string, Record<string, string>>;
  /** Run only these modules alone, beside a monolith hosting the rest. */
  extracted?: readonly string[];
  /** More than one instance of a module, on one database: `{ payments: 2 }` starts `payments` and `payments#2`. */
  replicas?: Record<string, number>;
  /** Send events between processes through a private NATS JetStream broker (EVENTS_URL) rather than HTTP push. */
  broker?: boolean;
}

export interface Cluster {
  /** The pure gateway clients talk to: it hosts nothing and forwards /api/<module>/... */
  gateway: ChildService;
  services: Map<string, ChildService>;
  secret: string;
  /** The cluster's own broker, when started with `broker`: kill and restart it to test an outage. */
  nats?: NatsServer;
  /** Where a module's own database is, as a DATABASE_URL. */
  databaseUrl(module: string): string;
  /** Kills an instance's process (`payments`, `payments#2`) with SIGKILL: no shutdown, no goodbye. */
  crash(instance: string): Promise<void>;
  /**
   * Starts an instance's process again on the same port and database. `env` changes some
   * of its variables from then on (`{ EVENTS_RELAY: 'on' }`); without it, it starts as before.
   */
  restart(instance: string, env?: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * startCluster runs every module of the storefront as its own process on its own
 * database, payments on Postgres and the rest on SQLite files, plus a gateway. With
 * `extracted`, only those modules run alone, and a monolith hosting the rest is the gateway.
 *
 * @example const cluster = await startCluster({ ADMIN_EMAIL, ADMIN_PASSWORD }, dataDir, { replicas: { payments: 2 } })
 */
export async function startCluster(
  env: Record<string, string>,
  dataDir: string,
  { envFor = {}, extracted, replicas = {}, broker = false }: ClusterOptions = {},
): Promise<Cluster> {
  // A broker of its own, so a test may take it down without touching any other test.
  const nats = broker ? await startNatsServer() : undefined;
  if (nats) env = { ...env, EVENTS_URL: nats.url };
  const secret = randomBytes(24).toString('hex');
  const pg = await createTestDatabase();
  const databaseUrl = (module: string) => (ON_POSTGRES.has(module) ? pg.url : `sqlite:${join(dataDir, `${module}.db`)}`);
  const services = new Map<string, ChildService>();
  const envOf = new Map<string, Record<string, string>>();
  const urls: Record<string, string> = {};
  const moduleOf = (instance: string) => instance.split('#')[0]!;
  const instancesOf = (module: string) =>
    Array.from({ length: replicas[module] ?? 1 }, (_, i) => (i === 0 ? module : `${module}#${i + 1}`));
  const ports = new Map<string, number>();
  const startInstance = async (instance: string) => {
    const module = moduleOf(instance);
    const own = { ...env, ...envFor[module], ...urls, SERVICE_SECRET: secret, DATABASE_URL: databaseUrl(module), DATA_DIR: dataDir };
    envOf.set(instance, own);
    services.set(instance, await startChild(['src/extracted/service.ts', module], { ...own, PORT: String(ports.get(instance)) }));
  };
  const start = async (module: string) => {
    for (const instance of instancesOf(module)) await startInstance(instance);
  };
  // Every instance's port is chosen first and each <MODULE>_URL lists them all, as an operator
  // would write it: a service knows where its callees and subscribers are before they start.
  const place = async (modules: readonly string[]) => {
    for (const module of modules) {
      for (const instance of instancesOf(module)) ports.set(instance, await freePort());
      urls[`${module.toUpperCase()}_URL`] = instancesOf(module)
        .map((i) => `http://127.0.0.1:${ports.get(i)}`)
        .join(',');
    }
  };
  let gateway: ChildService | undefined;
  const stopAll = async () => {
    await Promise.all([gateway, ...services.values()].map((s) => s?.kill()));
    await pg.drop();
    await nats?.dispose();
  };
  const startGateway = (port = '0') =>
    startChild(['src/main.ts'], { ...env, ...envFor.gateway, ...urls, SERVICE_SECRET: secret, DATA_DIR: dataDir, PORT: port });
  try {
    if (extracted) {
      // A monolith with some modules extracted: the services call back into the monolith
      // (for identity's key), so its port is chosen first and the processes start in any order.
      const port = await freePort();
      const monolith = LAYERS.flat().filter((m) => !extracted.includes(m));
      for (const m of monolith) urls[`${m.toUpperCase()}_URL`] = `http://127.0.0.1:${port}`;
      await place(extracted);
      await Promise.all(extracted.map((m) => start(m)));
      for (const m of monolith) delete urls[`${m.toUpperCase()}_URL`];
      gateway = await startGateway(String(port));
    } else {
      await place(LAYERS.flat());
      for (const layer of LAYERS) await Promise.all(layer.map((m) => start(m)));
      gateway = await startGateway();
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  return {
    gateway,
    services,
    secret,
    nats,
    databaseUrl,
    crash: (module) => services.get(module)!.kill('SIGKILL'),
    async restart(instance, env = {}) {
      const port = String(ports.get(instance));
      envOf.set(instance, { ...envOf.get(instance)!, ...env });
      services.set(instance, await startChild(['src/extracted/service.ts', moduleOf(instance)], { ...envOf.get(instance)!, PORT: port }));
    },
    stop: stopAll,
  };
}
