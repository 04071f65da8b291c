import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { type ChildService, startChild } from './child-service.js';
import { createTestDatabase } from './postgres.js';

/** Modules in the order they can start: each one's dependencies come earlier. */
const LAYERS = [['identity'], ['catalog', 'payments', 'notifications'], ['orders']] as const;
const ON_POSTGRES = new Set(['payments']);

export interface Cluster {
  /** The pure gateway clients talk to: it hosts nothing and forwards /api/<module>/... */
  gateway: ChildService;
  services: Map<string, ChildService>;
  secret: string;
  /** Where a module's own database is, as a DATABASE_URL. */
  databaseUrl(module: string): string;
  /** Kills a module's process with SIGKILL: no shutdown, no goodbye. */
  crash(module: string): Promise<void>;
  /** Starts a module's process again on the same port and database. */
  restart(module: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * startCluster runs every module of the storefront as its own process on its own
 * database, payments on Postgres and the rest on SQLite files, plus a gateway. With
 * `extracted`, only those modules run alone, and a monolith hosting the rest is the gateway.
 *
 * `envFor` adds variables for one process only, by module name or `gateway`.
 *
 * @example const cluster = await startCluster({ ADMIN_EMAIL, ADMIN_PASSWORD }, dataDir, { orders: { RPC_TIMEOUT: '1s' } })
 */
export async function startCluster(
  env: Record<string, string>,
  dataDir: string,
  envFor: Record<string, Record<string, string>> = {},
  extracted?: readonly string[],
): Promise<Cluster> {
  const secret = randomBytes(24).toString('hex');
  const pg = await createTestDatabase();
  const databaseUrl = (module: string) => (ON_POSTGRES.has(module) ? pg.url : `sqlite:${join(dataDir, `${module}.db`)}`);
  const services = new Map<string, ChildService>();
  const envOf = new Map<string, Record<string, string>>();
  const urls: Record<string, string> = {};
  const start = async (module: string, port = '0') => {
    const own = { ...env, ...envFor[module], ...urls, SERVICE_SECRET: secret, DATABASE_URL: databaseUrl(module), DATA_DIR: dataDir };
    envOf.set(module, own);
    services.set(module, await startChild(['src/extracted/service.ts', module], { ...own, PORT: port }));
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
      for (const m of extracted) urls[`${m.toUpperCase()}_URL`] = services.get(m)!.url;
      gateway = await startGateway(String(port));
    } else {
      for (const layer of LAYERS) {
        await Promise.all(layer.map((m) => start(m)));
        for (const m of layer) urls[`${m.toUpperCase()}_URL`] = services.get(m)!.url;
      }
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
    async restart(module) {
      const port = String(services.get(module)!.port);
      services.set(module, await startChild(['src/extracted/service.ts', module], { ...envOf.get(module)!, PORT: port }));
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
