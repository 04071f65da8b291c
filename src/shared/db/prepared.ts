import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from './module-db.js';
import { onSqlite } from './sqlite-prepared.js';

/** Runnable is what drizzle's `.prepare()` returns, in either dialect. */
interface Runnable<R> {
  execute(values?: Record<string, unknown>): PromiseLike<R> & { sync?(): R };
}

/**
 * prepared is a query written once, with `sql.placeholder()` where its values go, and
 * built the first time it runs on a module's database. Building a query through drizzle
 * costs several times what SQLite takes to run it.
 *
 * A handle's `dialect` is one per drizzle instance, so it names the module database
 * whatever handle the query runs on. A Postgres transaction has a handle of its own, on
 * its own connection: the query built once is run there by giving a copy of it that
 * connection (drizzle's postgres-js query sends through its `client`). postgres.js then
 * prepares the statement once per server connection. An SQLite handle lives as long as
 * the process, so its query runs as built, by onSqlite (sqlite-prepared.ts), which works
 * out once what drizzle works out on every call.
 *
 * @example
 * const byId = prepared((q) => q.select().from(t.orders).where(eq(t.orders.id, sql.placeholder('id'))).prepare('orders_by_id'));
 * const rows = await byId(q, { id });
 */
export function prepared<R, V extends Record<string, unknown> = Record<string, unknown>>(
  build: (q: Queryable) => Runnable<R>,
): (q: Queryable, values: V) => Promise<R> {
  const built = new WeakMap<object, { query: Runnable<R>; direct?: (values: Record<string, unknown>) => R }>();
  return (q, values) => {
    try {
      const { dialect, session } = q as unknown as Internals;
      let entry = built.get(dialect);
      if (!entry) {
        const query = build(q);
        entry = { query, direct: onSqlite<R>(query) };
        built.set(dialect, entry);
      }
      if (entry.direct) return Promise.resolve(entry.direct(values));
      const result = onConnection(entry.query, session.client).execute(values);
      // better-sqlite3 runs a statement at once, and drizzle wraps what it returned in a
      // thenable that takes four promises to await; an order runs dozens of statements.
      // Its sync() hands over the same rows, or throws the same error, with none.
      return Promise.resolve(result.sync ? result.sync() : result);
    } catch (err) {
      return Promise.reject(err);
    }
  };
}

/** What drizzle keeps on a handle that prepared() relies on; prepared.test.ts checks it on both dialects. */
interface Internals {
  dialect: object;
  session: { client: unknown };
}

/** onConnection is the query as sent through `client`, when it was built to go through another. */
function onConnection<R>(query: Runnable<R>, client: unknown): Runnable<R> {
  const own = (query as { client?: unknown }).client;
  if (own === undefined || own === client) return query;
  return Object.create(query, { client: { value: client } }) as Runnable<R>;
}

/** p marks where a prepared query's value `name` goes, in values() and where(). */
export const p = (name: string) => sql.placeholder(name);

/** v is p for set(), whose types take SQL rather than a bare placeholder. */
export const v = (name: string): SQL => sql`${sql.placeholder(name)}`;
