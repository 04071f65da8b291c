import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Carve, createCarve } from '../../src/composition-root.js';
import { loadConfig } from '../../src/shared/config/config.js';
import { createLogger } from '../../src/shared/log/logger.js';
import { createTestDatabase } from './postgres.js';

import type { TestDialect } from './dialects.js';

export { DIALECTS, type TestDialect } from './dialects.js';

export const ADMIN = { email: 'admin@carve.test', password: 'admin-password-1' };

export interface TestCarve {
  carve: Carve;
  dialect: TestDialect;
  /** Every log line written, parsed, when started with `captureLogs`. */
  logs: Record<string, unknown>[];
  /** Sends a request to the app in-process. A `token` becomes a bearer header; `body` is sent as JSON. */
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * startCarve starts the whole storefront for one test file, on its own SQLite
 * directory or its own Postgres database, with an admin account and no demo data.
 *
 * @example const t = await startCarve('postgres'); afterAll(() => t.stop())
 */
export async function startCarve(
  dialect: TestDialect,
  env: Record<string, string> = {},
  { captureLogs = false } = {},
): Promise<TestCarve> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carve-test-'));
  const pg = dialect === 'postgres' ? await createTestDatabase() : undefined;
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SEED_DEMO: 'false',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: captureLogs ? 'info' : (process.env.LOG_LEVEL ?? 'silent'),
    ...(pg ? { DATABASE_URL: pg.url } : {}),
    ...env,
  });
  const logs: Record<string, unknown>[] = [];
  const destination = captureLogs ? { write: (line: string) => void logs.push(JSON.parse(line)) } : undefined;
  const carve = createCarve(config, createLogger(config.LOG_LEVEL, destination));
  await carve.start();
  return {
    carve,
    dialect,
    logs,
    request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      }
      return Promise.resolve(carve.app.request(path, { method, headers, body }));
    },
    async stop() {
      await carve.stop();
      await pg?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
