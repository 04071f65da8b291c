import type { Dialect } from '../../shared/db/module-db.js';
import type { ColumnKind, Value } from './column-values.js';

/** Column is one column of a module's table, with the kind both dialects agree on. */
export interface Column {
  readonly name: string;
  readonly kind: ColumnKind;
}

/** TableShape is what the copy needs to know of a table: its columns and its primary key, in key order. */
export interface TableShape {
  readonly name: string;
  readonly columns: readonly Column[];
  readonly primaryKey: readonly string[];
}

/** Row is one row's values in the order of its TableShape's columns, in canonical form. */
export type Row = Value[];

/**
 * ModuleStore is one side of a move: one module's tables in a SQLite file or a Postgres
 * schema, reached over a connection of its own (not the module's confined ModuleDb, which
 * serialises SQLite work and runs Postgres queries as the module's role). Every value
 * crosses it in canonical form (see column-values.ts), so the copy, the checksum and the
 * comparison never care which dialect a row came from.
 */
export interface ModuleStore {
  readonly dialect: Dialect;
  /** Where the data is, safe to print (no password). */
  readonly location: string;
  /** The hashes of the migrations applied here, or undefined when the module was never migrated here. */
  appliedMigrations(): Promise<string[] | undefined>;
  /** The module's tables, by introspection, without the migrations bookkeeping table; sorted by name. */
  tables(): Promise<TableShape[]>;
  count(table: TableShape): Promise<number>;
  /** Up to `limit` rows whose primary key sorts after `after` (every row when undefined), in key order. */
  page(table: TableShape, after: Value[] | undefined, limit: number): Promise<Row[]>;
  /** The rows with these primary keys; missing keys are simply absent from the answer. */
  findByKeys(table: TableShape, keys: Value[][]): Promise<Row[]>;
  /**
   * Inserts the rows in one transaction and returns how many it added. With `skipPresent`, a
   * row whose primary key is already there is skipped; without it, such a row fails the whole
   * insert, and the target is spared the check for each row (a fifth of Postgres's work).
   */
  insert(table: TableShape, rows: Row[], skipPresent: boolean): Promise<number>;
  /** Makes every insert so far survive a crash of the machine, and moves serial keys past the rows copied. */
  flush(): Promise<void>;
  /** The most rows a page may hold so that looking up its keys stays within the dialect's limit on bound parameters. */
  maxBatch(table: TableShape): number;
  /** Runs `work` with every read seeing one consistent snapshot of the data. */
  snapshot<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * keyOf picks a row's primary-key values, in key order.
 *
 * @example const after = keyOf(table, rows.at(-1)!)
 */
export function keyOf(table: TableShape, row: Row): Value[] {
  return table.primaryKey.map((name) => row[table.columns.findIndex((c) => c.name === name)] ?? null);
}

/**
 * quoteIdent quotes a table or column name the same way for SQLite and Postgres; names
 * come from introspection, never from user input, but a quote in one must not break the SQL.
 *
 * @example `select ${quoteIdent('order')} from t`
 */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
