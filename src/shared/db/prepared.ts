import { type SQL, sql } from 'drizzle-orm';
import type { Queryable } from './module-db.js';

/** Runnable is what drizzle's `.prepare()` returns, in either dialect. */
interface Runnable<R> {
  execute(values?: Record<string, unknown>): PromiseLike<R>;
}

/**
 * prepared is a query written once, with `sql.placeholder()` where its values go, and
 * built for each database handle the first time it runs there. Building a query through
 * drizzle costs several times what SQLite takes to run it, and a module's SQLite handle
 * lives as long as the process, so there it is built once. A Postgres transaction has a
 * handle of its own, so there it is built once per transaction, as a plain query would
 * be; postgres.js prepares the statement on the server either way.
 *
 * @example
 * const byId = prepared((q) => q.select().from(t.orders).where(eq(t.orders.id, sql.placeholder('id'))).prepare('orders_by_id'));
 * const rows = await byId(q, { id });
 */
export function prepared<R, V extends Record<string, unknown> = Record<string, unknown>>(
  build: (q: Queryable) => Runnable<R>,
): (q: Queryable, values: V) => Promise<R> {
  const built = new WeakMap<Queryable, Runnable<R>>();
  return async (q, values) => {
    let query = built.get(q);
    if (!query) {
      query = build(q);
      built.set(q, query);
    }
    return query.execute(values);
  };
}

/** p marks where a prepared query's value `name` goes, in values() and where(). */
export const p = (name: string) => sql.placeholder(name);

/** v is p for set(), whose types take SQL rather than a bare placeholder. */
export const v = (name: string): SQL => sql`${sql.placeholder(name)}`;
