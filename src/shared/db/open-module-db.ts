import { join } from 'node:path';
import type { Config } from '../config/config.js';
import type { ModuleDb } from './module-db.js';
import { openPostgresDb } from './postgres-db.js';
import { openSqliteDb } from './sqlite-db.js';

/**
 * openModuleDb gives a module its own handle: its own SQLite file under DATA_DIR, or
 * its own schema in DATABASE_URL's Postgres database.
 *
 * @example const db = openModuleDb('orders', config)
 */
export function openModuleDb(module: string, config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR' | 'DB_POOL_MAX'>): ModuleDb {
  if (config.DATABASE_URL) return openPostgresDb(module, config.DATABASE_URL, { max: config.DB_POOL_MAX });
  return openSqliteDb(module, join(config.DATA_DIR, `${module}.db`));
}

/** migrationsFolder is where drizzle-kit writes a module's migrations for a dialect. */
export function migrationsFolder(module: string, dialect: ModuleDb['dialect']): string {
  return join(import.meta.dirname, '..', '..', '..', 'migrations', module, dialect);
}
