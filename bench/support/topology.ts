import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../test/support/postgres.js';
import { type NatsServer, startNatsServer } from '../../test/support/nats-server.js';
import { type BenchProcess, freePort, startProcess } from './processes.js';

/** Modules in the order they can start: each one's dependencies come earlier. */
const LAYERS = [['identity'], ['catalog', 'payments', 'notifications'], ['orders']] as const;
const MODULES: readonly string[] = LAYERS.flat();

export const ADMIN = { email: 'bench-admin@carve.test', password: 'bench-admin-password' };

/** Topology is a running deployment: the URL clients use and every server process behind it. */
export interface Topology {
  url: string;
  /** Every server process, the one clients talk to first. */
  processes: BenchProcess[];
  /** Where SQLite module files live: `<dataDir>/<module>.db`. */
  dataDir: string;
  stop(): Promise<void>;
}

export interface CarveOptions {
  /** Modules run as their own services (SQLite each); `'all'` leaves a pure gateway. */
  extracted?: readonly string[] | 'all';
  /** The monolith on a fresh Postgres database instead of SQLite files. */
  postgres?: boolean;
  /** Events between processes through a private NATS JetStream broker (EVENTS_URL). */
  broker?: boolean;
  /** Node's own flags for every Carve process, as an operator would set NODE_OPTIONS. */
  nodeOptions?: string;
  /** More environment for every Carve process. */
  env?: Record<string, string>;
}

/**
 * startCarve runs Carve as `npm start` and `npm run service` would, at LOG_LEVEL=warn and
 * NODE_ENV=production, with an admin account and no demo data. Mirrors the test
 * harness's startCluster, which waits for an info-level log line the bench turns off.
 *
 * @example const t = await startCarve(workDir, { extracted: ['payments'] }); try { ... } finally { await t.stop() }
 */
export async function startCarve(
  workDir: string,
  { extracted = [], postgres = false, broker = false, nodeOptions, env: more = {} }: CarveOptions = {},
): Promise<Topology> {
  const dataDir = join(workDir, `carve-${randomBytes(4).toString('hex')}`);
  mkdirSync(dataDir, { recursive: true });
  const started: BenchProcess[] = [];
  let pg: TestDatabase | undefined;
  let nats: NatsServer | undefined;
  const stop = async () => {
    await Promise.all(started.map((p) => p.kill()));
    await pg?.drop();
    await nats?.dispose();
  };
  try {
    const remote = extracted === 'all' ? MODULES : extracted;
    const env: Record<string, string> = { ...more, SEED_DEMO: 'false', ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, DATA_DIR: dataDir };
    if (remote.length > 0) env.SERVICE_SECRET = randomBytes(24).toString('hex');
    if (nodeOptions) env.NODE_OPTIONS = nodeOptions;
    if (broker) {
      nats = await startNatsServer();
      env.EVENTS_URL = nats.url;
    }
    if (postgres) {
      pg = await createTestDatabase();
      env.DATABASE_URL = pg.url;
    }
    const gatewayPort = await freePort();
    const urls: Record<string, string> = {};
    for (const m of MODULES) urls[`${m.toUpperCase()}_URL`] = `http://127.0.0.1:${gatewayPort}`;
    const ports = new Map<string, number>();
    for (const m of remote) {
      ports.set(m, await freePort());
      urls[`${m.toUpperCase()}_URL`] = `http://127.0.0.1:${ports.get(m)}`;
    }
    const service = async (m: string) => {
      const own = { ...env, ...urls, DATABASE_URL: `sqlite:${join(dataDir, `${m}.db`)}` };
      started.push(await startProcess(m, ['src/extracted/service.ts', m], own, ports.get(m)));
    };
    for (const layer of LAYERS) await Promise.all(layer.filter((m) => remote.includes(m)).map(service));
    const gatewayEnv = { ...env };
    for (const m of remote) gatewayEnv[`${m.toUpperCase()}_URL`] = urls[`${m.toUpperCase()}_URL`]!;
    const gateway = await startProcess(remote.length === MODULES.length ? 'gateway' : 'monolith', ['src/main.ts'], gatewayEnv, gatewayPort);
    started.unshift(gateway);
    return { url: gateway.url, processes: started, dataDir, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * startScript runs one of the bench's own servers (bench/baseline/*.ts) as a process.
 *
 * @example const echo = await startScript(workDir, 'echo', 'bench/baseline/echo-server.ts')
 */
export async function startScript(workDir: string, name: string, script: string, env: Record<string, string> = {}): Promise<Topology> {
  const dataDir = join(workDir, `${name}-${randomBytes(4).toString('hex')}`);
  mkdirSync(dataDir, { recursive: true });
  const proc = await startProcess(name, [script], { ...env, DATA_DIR: dataDir });
  return { url: proc.url, processes: [proc], dataDir, stop: () => proc.kill() };
}
