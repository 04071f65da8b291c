import { type Placeholder, sql } from 'drizzle-orm';

/**
 * literalLimit writes a LIMIT into the SQL text, where drizzle would bind it as a
 * parameter. SQLite (as better-sqlite3 builds it) reads a bound LIMIT's value when it
 * plans a statement, so binding it again expires the statement, and better-sqlite3
 * binds again on every run: each run was prepared anew. The outbox relay's and the
 * inbox's batch queries took 2.5–3× as long that way (26 against 9 µs, 17 against 7 µs,
 * on a copy of a loaded database). Postgres takes either alike.
 *
 * Each distinct limit is a distinct statement, kept prepared like any other; callers
 * pass a constant or a validated page size, never an unbounded number.
 *
 * @example q.select().from(inbox).orderBy(asc(inbox.seq)).limit(literalLimit(100))
 */
export function literalLimit(n: number): Placeholder {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`A limit must be a whole number from 0, not ${n}`);
  // drizzle's builders type a limit as a number or a placeholder, but both dialects
  // write any SQL chunk they are given as it is.
  return sql.raw(String(n)) as unknown as Placeholder;
}
