import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { type Carve, createCarve } from '../../src/composition-root.js';
import { loadConfig } from '../../src/shared/config/config.js';
import type { AnyContract, Port } from '../../src/shared/contract/define-contract.js';
import type { ModuleDb } from '../../src/shared/db/module-db.js';
import { openDatabaseUrl } from '../../src/shared/db/open-module-db.js';
import { portToken } from '../../src/shared/di/tokens.js';
import { createLogger } from '../../src/shared/log/logger.js';
import { RemoteEndpoint } from '../../src/shared/remote/remote-endpoint.js';
import { createRemotePort } from '../../src/shared/remote/remote-port.js';
import { serviceTokens } from '../../src/shared/remote/service-token.js';
import type { TestDialect } from './dialects.js';
import { type Cluster, type ClusterOptions, startCluster } from './multi-process.js';
import { createTestDatabase } from './postgres.js';
import type { Topology } from './runners.js';

export { DIALECTS, type TestDialect } from './dialects.js';
export { PARTLY_EXTRACTED, TOPOLOGIES, type Topology } from './runners.js';

export const ADMIN = { email: 'admin@carve.test', password: 'admin-password-1' };

export interface RequestOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

export interface TestCarve {
  topology: Topology;
  /** The process itself, for in-process and loopback runners; undefined across processes. */
  carve?: Carve;
  /** The child processes, for the multi-process runner. */
  cluster?: Cluster;
  /** Every log line written, parsed, when started in-process with `captureLogs`. */
  logs: Record<string, unknown>[];
  /** Sends a public API request. A `token` becomes a bearer header; `body` is sent as JSON. */
  request(method: string, path: string, opts?: RequestOptions): Promise<Response>;
  /** A port to a module as another module would hold it: in-process, or over HTTP with a service token. */
  port<C extends AnyContract>(contract: C): Port<C>;
  /** A handle on a module's own database, to check what the API does not show. */
  moduleDb(module: string): ModuleDb;
  stop(): Promise<void>;
}

const quiet = () => createLogger('silent');

function jsonRequest(method: string, opts: RequestOptions): RequestInit {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] ??= 'application/json';
    body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  }
  return { method, headers, body };
}

/** A storefront in this process, whose container and modules a test may reach into. */
export interface InProcessCarve extends TestCarve {
  carve: Carve;
}

export interface StartOptions {
  /** In-process only: keep every log line in `logs`. */
  captureLogs?: boolean;
  /** Multi-process only: variables for one process, by module name or `gateway`. */
  envFor?: Record<string, Record<string, string>>;
  /** Multi-process only: instances per module, as in `{ payments: 2 }`. */
  replicas?: Record<string, number>;
}

export function startCarve(where: TestDialect, env?: Record<string, string>, opts?: StartOptions): Promise<InProcessCarve>;
export function startCarve(where: Topology, env?: Record<string, string>, opts?: StartOptions): Promise<TestCarve>;
/**
 * startCarve starts the whole storefront for one test file, placed as the topology says,
 * on its own SQLite directory and Postgres database, with an admin account and no demo data.
 * A bare dialect means in-process.
 *
 * @example const t = await startCarve(topology); afterAll(() => t.stop())
 */
export async function startCarve(
  where: Topology | TestDialect,
  env: Record<string, string> = {},
  { captureLogs = false, envFor = {}, replicas = {} }: StartOptions = {},
): Promise<TestCarve> {
  const topology: Topology =
    typeof where === 'string' ? { name: `in-process on ${where}`, runner: 'in-process', dialect: where } : where;
  const base = {
    NODE_ENV: 'test',
    SEED_DEMO: 'false',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'carve-test-'));
  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  if (topology.runner === 'multi-process') return startAcrossProcesses(topology, base, dataDir, cleanup, { envFor, replicas, extracted: topology.extracted, broker: topology.broker });

  const pg = topology.dialect === 'postgres' ? await createTestDatabase() : undefined;
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: captureLogs ? 'info' : (process.env.LOG_LEVEL ?? 'silent'),
    ...(pg ? { DATABASE_URL: pg.url } : {}),
    ...(topology.runner === 'loopback' ? { SERVICE_SECRET: 'loopback-test-secret-0123456789abcdef' } : {}),
    ...base,
  });
  const logs: Record<string, unknown>[] = [];
  const destination = captureLogs ? { write: (line: string) => void logs.push(JSON.parse(line)) } : undefined;
  let selfUrl = '';
  const carve = createCarve(
    config,
    createLogger(config.LOG_LEVEL, destination),
    topology.runner === 'loopback' ? { loopbackUrl: () => selfUrl } : {},
  );
  await carve.start();
  let server: ReturnType<typeof serve> | undefined;
  if (topology.runner === 'loopback') {
    server = serve({ fetch: carve.app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server!.once('listening', resolve));
    selfUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  return {
    topology,
    carve,
    logs,
    request(method, path, opts = {}) {
      const init = jsonRequest(method, opts);
      return server ? fetch(`${selfUrl}${path}`, init) : Promise.resolve(carve.app.request(path, init));
    },
    port: (contract) => carve.container.resolve(portToken(contract)),
    moduleDb: (module) => carve.hosted.find((h) => h.module.name === module)!.db,
    async stop() {
      await carve.stop();
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      await pg?.drop();
      cleanup();
    },
  };
}

async function startAcrossProcesses(
  topology: Topology,
  env: Record<string, string>,
  dataDir: string,
  cleanup: () => void,
  options: ClusterOptions,
): Promise<TestCarve> {
  const cluster = await startCluster(env, dataDir, options);
  const tokens = serviceTokens(cluster.secret);
  const endpoints = new Map<string, RemoteEndpoint>();
  const dbs = new Map<string, ModuleDb>();
  const endpoint = (module: string) => {
    let found = endpoints.get(module);
    if (!found) {
      found = new RemoteEndpoint({ module, urls: () => [(cluster.services.get(module) ?? cluster.gateway).url], tokens, logger: quiet() });
      endpoints.set(module, found);
    }
    return found;
  };
  return {
    topology,
    cluster,
    logs: [],
    request: (method, path, opts = {}) => fetch(`${cluster.gateway.url}${path}`, jsonRequest(method, opts)),
    port: (contract) => createRemotePort(contract, endpoint(contract.name), { caller: 'test', timeoutMs: 15_000 }),
    moduleDb(module) {
      let db = dbs.get(module);
      if (!db) {
        db = openDatabaseUrl(module, cluster.databaseUrl(module), 2);
        dbs.set(module, db);
      }
      return db;
    },
    async stop() {
      await Promise.all([...endpoints.values()].map((e) => e.close()));
      await Promise.all([...dbs.values()].map((db) => db.close()));
      await cluster.stop();
      cleanup();
    },
  };
}

