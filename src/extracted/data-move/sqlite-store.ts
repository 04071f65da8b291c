import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { type Value, canonicalRows, sqliteKind } from './column-values.js';
import { MIGRATIONS_TABLE, keySql, unsupportedColumn } from './introspection.js';
import { type ModuleStore, type Row, type TableShape, quoteIdent } from './module-store.js';
import { MoveError } from './move-error.js';

// SQLite's default limit on bound parameters per statement (SQLITE_MAX_VARIABLE_NUMBER).
const MAX_PARAMETERS = 32_766;

interface ColumnInfo {
  name: string;
  type: string;
  pk: number;
}

/**
 * openSqliteStore opens a module's SQLite file for a move with a connection of its own. A
 * source is opened read-only and must exist, so a mistyped path is an error instead of a
 * new empty file; a target must already be migrated (see migrateTarget).
 *
 * @example const source = openSqliteStore('catalog', './data/catalog.db', 'source')
 */
export function openSqliteStore(module: string, file: string, side: 'source' | 'target'): ModuleStore {
  if (!existsSync(file)) {
    throw new MoveError(`No SQLite file at ${file}: there is no ${module} data to move there (check the path, or DATA_DIR).`);
  }
  const db = new Database(file, { readonly: side === 'source', fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  // As the module's own handle does (sqlite-db.ts): in WAL mode a commit then survives a
  // crash of the process without waiting for the disk; a power cut may undo the last few
  // batches, which the next run copies again.
  if (side === 'target') {
    db.pragma('synchronous = NORMAL');
    // A checkpoint waits for the disk and blocks the copy meanwhile. One every 10,000 pages
    // of log (40 MB with 4 KB pages) instead of SQLite's default 1000 waits a tenth as often
    // and writes a busy index page out once where it would write it ten times. flush()
    // checkpoints the rest.
    db.pragma('wal_autocheckpoint = 10000');
  }
  // The module's tables have no foreign keys, and a copy in key order could not honour them anyway.
  db.pragma('foreign_keys = OFF');
  const columnsOf = (table: TableShape) => table.columns.map((c) => quoteIdent(c.name)).join(', ');
  const select = (sql: string) => db.prepare(sql).raw(true).safeIntegers(true);
  // better-sqlite3 is synchronous. Reads and writes first yield to the event loop, so that a
  // copy can put the Postgres side's query on the wire before SQLite takes the CPU.
  const yieldFirst = () => new Promise((resolve) => setImmediate(resolve));
  // better-sqlite3 binds bigint, number, string and Buffer, but not booleans.
  const native = (v: Value) => (typeof v === 'boolean' ? (v ? 1n : 0n) : v);

  return {
    dialect: 'sqlite',
    location: `sqlite:${file}`,
    async appliedMigrations() {
      const exists = db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(MIGRATIONS_TABLE);
      if (!exists) return undefined;
      return db.prepare(`select hash from ${MIGRATIONS_TABLE}`).pluck().all() as string[];
    },
    async tables() {
      const names = db
        .prepare(
          "select name from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' and name <> ? order by name",
        )
        .pluck()
        .all(MIGRATIONS_TABLE) as string[];
      return names.map((name) => {
        const info = db.prepare(`pragma table_info(${quoteIdent(name)})`).all() as ColumnInfo[];
        return {
          name,
          columns: info.map((c) => ({
            name: c.name,
            kind: sqliteKind(c.type) ?? unsupportedColumn(module, name, c.name, c.type),
          })),
          primaryKey: info
            .filter((c) => c.pk > 0)
            .sort((a, b) => a.pk - b.pk)
            .map((c) => c.name),
        };
      });
    },
    async count(table) {
      return Number(
        db
          .prepare(`select count(*) from ${quoteIdent(table.name)}`)
          .pluck()
          .safeIntegers(true)
          .get(),
      );
    },
    async page(table, after, limit) {
      await yieldFirst();
      const key = keySql(table.primaryKey, () => '?');
      const where = after ? `where ${key.tuple} > ${key.tupleMarks}` : '';
      const sql = `select ${columnsOf(table)} from ${quoteIdent(table.name)} ${where} order by ${key.list} limit ${limit}`;
      const rows = select(sql).all(...(after ?? []).map(native)) as unknown[][];
      return canonicalRows(module, table, rows);
    },
    async findByKeys(table, keys) {
      if (keys.length === 0) return [];
      const key = keySql(table.primaryKey, () => '?');
      const values = keys.map(() => `(${key.marks})`).join(', ');
      const sql = `select ${columnsOf(table)} from ${quoteIdent(table.name)} where ${key.tuple} in (values ${values})`;
      const rows = select(sql).all(...keys.flat().map(native)) as unknown[][];
      return canonicalRows(module, table, rows);
    },
    async insert(table, rows, skipPresent) {
      await yieldFirst();
      // One prepared single-row statement in one transaction is SQLite's fastest bulk
      // insert: there is no network round trip to save by packing rows into one statement.
      const marks = table.columns.map(() => '?').join(', ');
      const skip = skipPresent ? ` on conflict (${keySql(table.primaryKey, () => '?').list}) do nothing` : '';
      const stmt = db.prepare(`insert into ${quoteIdent(table.name)} (${columnsOf(table)}) values (${marks})${skip}`);
      // Rows bind as they are, an array each, unless a boolean needs turning into an integer.
      const bind = table.columns.some((c) => c.kind === 'boolean') ? (row: Row) => row.map(native) : (row: Row) => row;
      const run = db.transaction((batch: Row[]) => batch.reduce((added, row) => added + stmt.run(bind(row)).changes, 0));
      return run(rows);
    },
    async flush() {
      // With synchronous = NORMAL, a checkpoint is what syncs the log and the file to disk.
      db.pragma('wal_checkpoint(PASSIVE)');
    },
    maxBatch(table) {
      return Math.floor(MAX_PARAMETERS / Math.max(1, table.primaryKey.length));
    },
    async snapshot(work) {
      // A deferred transaction pins the snapshot at its first read, for every later read.
      db.exec('begin');
      try {
        return await work();
      } finally {
        if (db.inTransaction) db.exec('commit');
      }
    },
    async close() {
      db.close();
    },
  };
}
