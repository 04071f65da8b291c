import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModuleDb } from '../../src/shared/db/module-db.js';
import { migrationsFolder } from '../../src/shared/db/open-module-db.js';
import { openPostgresDb } from '../../src/shared/db/postgres-db.js';
import { openSqliteDb } from '../../src/shared/db/sqlite-db.js';
import type { TestDialect } from './dialects.js';
import { createTestDatabase } from './postgres.js';

export interface ModuleStorage {
  /** The first handle, already migrated. */
  db: ModuleDb;
  /** Opens another handle on the same data, standing in for another process. */
  open(): ModuleDb;
  /** Closes every handle and throws the data away. */
  dispose(): Promise<void>;
}

/**
 * openModuleStorage gives a test file one module's own migrated database: a fresh SQLite
 * file, or a fresh Postgres database with the module's schema.
 *
 * @example const { db, dispose } = await openModuleStorage('payments', dialect)
 */
export async function openModuleStorage(module: string, dialect: TestDialect): Promise<ModuleStorage> {
  const handles: ModuleDb[] = [];
  let make: () => ModuleDb;
  let drop: () => Promise<void>;
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `carve-${module}-`));
    make = () => openSqliteDb(module, join(dir, `${module}.db`));
    drop = async () => rmSync(dir, { recursive: true, force: true });
  } else {
    const pg = await createTestDatabase();
    make = () => openPostgresDb(module, pg.url, { max: 4 });
    drop = () => pg.drop();
  }
  const open = () => {
    const db = make();
    handles.push(db);
    return db;
  };
  const db = open();
  await db.migrate(migrationsFolder(module, dialect));
  return {
    db,
    open,
    async dispose() {
      await Promise.all(handles.map((h) => h.close()));
      await drop();
    },
  };
}
