import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type ChildService, startChild } from './child-service.js';
import { createTestDatabase } from './postgres.js';

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
}

export interface Cluster {
  /** The pure gateway clients talk to: it hosts nothing and forwards /api/<module>/... */
  gateway: ChildService;
  services: Map<string, ChildService>;
  secret: string;
  /** Where a module's own database is, as a DATABASE_URL. */
  databaseUrl(module: string): string;
  /** Kills an instance's process (`payments`, `payments#2`) with SIGKILL: no shutdown, no goodbye. */
  crash(instance: string): Promise<void>;
  /** Starts an instance's process again on the same port and database. */
  restart(instance: string): Promise<void>;
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
  { envFor = {}, extracted, replicas = {} }: ClusterOptions = {},
): Promise<Cluster> {
  const secret = randomBytes(24).toString('hex');
  const pg = await createTestDatabase();
  const databaseUrl = (module: string) => (ON_POSTGRES.has(module) ? pg.url : `sqlite:${join(dataDir, `${module}.db`)}`);
  const services = new Map<string, ChildService>();
  const envOf = new Map<string, Record<string, string>>();
  const urls: Record<string, string> = {};
  const moduleOf = (instance: string) => instance.split('#')[0]!;
  const instancesOf = (module: string) =>
    Array.from({ length: replicas[module] ?? 1 }, (_, i) => (i === 0 ? module : `${module}#${i + 1}`));
  const startInstance = async (instance: string, port = '0') => {
    const module = moduleOf(instance);
    const own = { ...env, ...envFor[module], ...urls, SERVICE_SECRET: secret, DATABASE_URL: databaseUrl(module), DATA_DIR: dataDir };
    envOf.set(instance, own);
    services.set(instance, await startChild(['src/extracted/service.ts', module], { ...own, PORT: port }));
  };
  // Every instance of a module, then its <MODULE>_URL listing them all, as an operator would write it.
  const start = async (module: string) => {
    for (const instance of instancesOf(module)) await startInstance(instance);
    urls[`${module.toUpperCase()}_URL`] = instancesOf(module)
      .map((i) => services.get(i)!.url)
      .join(',');
  };
  let gateway: ChildService | undefined;
  const stopAll = async () => {
    await Promise.all([gateway, ...services.values()].map((s) => s?.kill()));
    await pg.drop();
  };
  const startGateway = (port = '0') =>
    startChild(['src/main.ts'], { ...env, ...envFor.gateway, ...urls, SERVICE_SECRET: secret, DATA_DIR: dataDir, PORT: port });
  try {
    if (extracted) {
      // A monolith with some modules extracted: the services call back into the monolith
      // (for identity's key), so its port is chosen first and the processes start in any order.
      const port = await freePort();
      urls.IDENTITY_URL = `http://127.0.0.1:${port}`;
      await Promise.all(extracted.map((m) => start(m)));
      delete urls.IDENTITY_URL;
      gateway = await startGateway(String(port));
    } else {
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
    databaseUrl,
    crash: (module) => services.get(module)!.kill('SIGKILL'),
    async restart(instance) {
      const port = String(services.get(instance)!.port);
      services.set(instance, await startChild(['src/extracted/service.ts', moduleOf(instance)], { ...envOf.get(instance)!, PORT: port }));
    },
    stop: stopAll,
  };
}

/** freePort asks the OS for a port nobody listens on, for a process whose address others need before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
