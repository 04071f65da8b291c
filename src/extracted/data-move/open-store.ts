import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrationsFolder, openDatabaseUrl } from '../../shared/db/open-module-db.js';
import type { ModuleStore } from './module-store.js';
import { MIGRATIONS_TABLE } from './introspection.js';
import { MoveError } from './move-error.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import { describeUrl, isSqliteUrl, sqliteFile } from './store-url.js';

/**
 * openSource opens the store a move reads from and checks it holds the module, migrated by
 * this version of the code: an unmigrated source is almost always a wrong URL or DATA_DIR,
 * and one at another migration would not fit the target's tables.
 *
 * @example const source = await openSource('catalog', 'sqlite:./data/catalog.db')
 */
export async function openSource(module: string, url: string): Promise<ModuleStore> {
  const store = isSqliteUrl(url) ? openSqliteStore(module, sqliteFile(url), 'source') : await openPostgresStore(module, url);
  try {
    const applied = await store.appliedMigrations();
    if (applied === undefined) {
      throw new MoveError(
        `${store.location} holds no ${module} data: the module was never migrated there (no ${MIGRATIONS_TABLE} table). ` +
          "Check the URL (or DATA_DIR / DATABASE_URL for the monolith's store).",
      );
    }
    const expected = expectedMigrations(module, store.dialect);
    const unknown = applied.filter((hash) => !expected.includes(hash));
    const missing = expected.filter((hash) => !applied.includes(hash));
    if (unknown.length > 0 || missing.length > 0) {
      throw new MoveError(
        `${store.location} does not hold this code's ${module} migrations (${missing.length} of ${expected.length} not applied, ` +
          `${unknown.length} unknown to this code). Is it another module's store, or from another version of Carve? ` +
          'If it is an older version, run the monolith or service of this version on it once so it migrates.',
      );
    }
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * openTarget opens the store a move writes to, after creating the module's tables there
 * with migrateTarget. A Postgres server is reached first, so an unreachable one is named
 * as such rather than as a failed migration.
 *
 * @example const target = await openTarget('catalog', 'postgres://carve@db:5432/shop')
 */
export async function openTarget(module: string, url: string): Promise<ModuleStore> {
  if (isSqliteUrl(url)) {
    await migrateTarget(module, url);
    return openSqliteStore(module, sqliteFile(url), 'target');
  }
  const store = await openPostgresStore(module, url);
  try {
    await migrateTarget(module, url);
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * migrateTarget creates the module's tables at the target through the module's own
 * migrations and ModuleDb.migrate, the very code the service runs at start-up. On Postgres
 * that also creates the schema and grants the module's confined role its rights, so the
 * target is left exactly as a fresh service would leave it.
 *
 * @example await migrateTarget('catalog', 'postgres://carve@db:5432/shop')
 */
export async function migrateTarget(module: string, url: string): Promise<void> {
  const db = openDatabaseUrl(module, url, 1);
  try {
    await db.migrate(migrationsFolder(module, db.dialect));
  } catch (err) {
    throw new MoveError(`Cannot create the ${module} tables at ${describeUrl(url)}: ${(err as Error).message}`);
  } finally {
    await db.close().catch(() => {});
  }
}

/**
 * expectedMigrations lists the hashes of the module's migrations for a dialect, as
 * ModuleDb.migrate records them once applied.
 *
 * @example (await source.appliedMigrations())?.length === expectedMigrations('catalog', 'sqlite').length
 */
export function expectedMigrations(module: string, dialect: ModuleStore['dialect']): string[] {
  return readMigrationFiles({ migrationsFolder: migrationsFolder(module, dialect) }).map((m) => m.hash);
}
