import { quoteIdent } from './module-store.js';
import { MoveError } from './move-error.js';

/**
 * MIGRATIONS_TABLE is where ModuleDb.migrate records applied migrations (src/shared/db): in
 * the SQLite file, or in the module's Postgres schema. It is the migrations' bookkeeping,
 * not the module's data, so a move reads it to check the source and never copies it.
 */
export const MIGRATIONS_TABLE = '__carve_migrations';

/** KeySql is a primary key written as SQL: as a list, and as a row value when it has several columns. */
export interface KeySql {
  /** `"a", "b"`: for ORDER BY and ON CONFLICT. */
  list: string;
  /** `("a", "b")`, or `"a"` alone: the left side of a comparison. */
  tuple: string;
  /** `($1, $2)`, or `$1` alone: the right side. */
  tupleMarks: string;
  /** `$1, $2`: one key's parameters in a VALUES list. */
  marks: string;
}

/**
 * keySql writes a primary key for keyset pagination and key lookups in either dialect;
 * both compare row values, `("a", "b") > ($1, $2)`, in the same order as ORDER BY "a", "b".
 *
 * @example keySql(['order_id', 'product_id'], (i) => `$${i + 1}`).tuple // ("order_id", "product_id")
 */
export function keySql(primaryKey: readonly string[], mark: (i: number) => string): KeySql {
  const list = primaryKey.map(quoteIdent).join(', ');
  const marks = primaryKey.map((_, i) => mark(i)).join(', ');
  const composite = primaryKey.length > 1;
  return { list, tuple: composite ? `(${list})` : list, tupleMarks: composite ? `(${marks})` : marks, marks };
}

/**
 * unsupportedColumn refuses a column whose type carve cannot carry between dialects
 * without loss (a timestamp, numeric, json...), naming it so the module can be fixed.
 *
 * @example kind ?? unsupportedColumn('orders', 'orders', 'placed_at', 'timestamp')
 */
export function unsupportedColumn(module: string, table: string, column: string, type: string): never {
  throw new MoveError(
    `${module}.${table}.${column} has type "${type}", which carve cannot move between SQLite and Postgres ` +
      '(supported: integer, bigint, smallint, real, double precision, text, varchar, boolean, bytea/blob).',
  );
}
