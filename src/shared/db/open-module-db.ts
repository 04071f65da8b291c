import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { ModuleDb } from './module-db.js';
import { openPostgresDb } from './postgres-db.js';
import { openSqliteDb } from './sqlite-db.js';
import { PROJECT_ROOT } from '../project-root.js';

/**
 * openModuleDb gives a module its own handle: its own SQLite file under DATA_DIR (or the
 * file a `sqlite:<path>` DATABASE_URL names), or its own schema in a Postgres database.
 *
 * @example const db = openModuleDb('orders', config)
 */
export function openModuleDb(module: string, config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX'>): ModuleDb {
  return openDatabaseUrl(module, moduleDatabaseUrl(module, config), config.DB_POOL_MAX);
}

/** moduleDatabaseUrl is where a module's data lives under a configuration, as a DATABASE_URL. */
export function moduleDatabaseUrl(module: string, config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>): string {
  return config.DATABASE_URL ?? `sqlite:${join(config.DATA_DIR, `${module}.db`)}`;
}

/**
 * openDatabaseUrl opens one module's data at a DATABASE_URL: postgres://... for the
 * module's schema in that database, sqlite:<path> for that file.
 *
 * @example const db = openDatabaseUrl('payments', 'sqlite:./data/payments.db')
 */
export function openDatabaseUrl(module: string, url: string, poolMax = 5): ModuleDb {
  if (url.startsWith('sqlite:')) return openSqliteDb(module, url.slice('sqlite:'.length));
  return openPostgresDb(module, url, { max: poolMax });
}

/** migrationsFolder is where drizzle-kit writes a module's migrations for a dialect. */
export function migrationsFolder(module: string, dialect: ModuleDb['dialect']): string {
  return join(PROJECT_ROOT, 'migrations', module, dialect);
}
