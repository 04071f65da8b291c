import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Queryable is the drizzle query builder a module's repository writes against. Both
 * dialects are typed as the Postgres builder: their select/insert/update/delete APIs
 * match, and the per-dialect tables make each build its own SQL. Both dialects run
 * the whole suite, which is what proves the shared code right.
 */
export type Queryable = PostgresJsDatabase<Record<string, never>>;

/**
 * ModuleDb is one module's own database handle. Nothing else can reach its tables.
 * All access goes through `read` or `tx` so SQLite, which has one connection, never
 * interleaves two requests' statements.
 */
export interface ModuleDb {
  readonly module: string;
  readonly dialect: Dialect;
  /** Where the data lives, safe to show on /ready (no credentials). */
  readonly location: string;
  read<T>(work: (q: Queryable) => Promise<T>): Promise<T>;
  tx<T>(work: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * onCommit calls `listener` with the transaction's handle after every transaction
   * commits: how the outbox relay learns at once that a transaction published.
   */
  onCommit(listener: (q: Queryable) => void): void;
  /** Runs a raw statement; for tests and tools. */
  execute(sql: string): Promise<void>;
  /**
   * Applies the module's migrations from a drizzle-kit folder under a lock, so two
   * processes starting at once, or one started twice, apply each migration once.
   * Returns how many it applied.
   */
  migrate(folder: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The connection pool, where there is one (Postgres): connections busy, work waiting for one, and the size. */
  pool?(): { busy: number; waiting: number; max: number };
}

/**
 * pickTables chooses a module's table objects for the dialect of its handle, typed
 * as the Postgres set (see Queryable).
 *
 * @example const t = pickTables(db.dialect, { sqlite: sqliteTables, postgres: pgTables })
 */
export function pickTables<P>(dialect: Dialect, sets: { sqlite: unknown; postgres: P }): P {
  return (dialect === 'sqlite' ? sets.sqlite : sets.postgres) as P;
}
