import { readMigrationFiles } from 'drizzle-orm/migrator';
import { PostgresJsSession, PostgresJsTransaction, drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { cachedUntilFailure } from '../async/cached-until-failure.js';
import type { ModuleDb, Queryable } from './module-db.js';
import { confineToSchema, moduleRole } from './postgres-role.js';

/** redactUrl hides the password of a connection URL. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
}

const quiet = { onnotice: () => {} };

/**
 * openPostgresDb opens one module's handle on its own schema. Migrations run as the
 * connecting user, who then grants the module's role rights on that schema alone; the
 * module's queries run as that role, so even a schema-qualified query cannot reach
 * another module's tables. Where the user may not create roles, the search_path alone
 * scopes the module, and `location` says so.
 *
 * @example const db = openPostgresDb('catalog', process.env.DATABASE_URL, { max: 5 })
 */
export function openPostgresDb(module: string, url: string, { max }: { max: number }): ModuleDb {
  const schema = module;
  const role = moduleRole(module);
  const owner = postgres(url, { ...quiet, max: 1, connection: { application_name: `carve-${module}-owner` } });
  let confinement = 'not yet checked';
  let pool: postgres.Sql | undefined;
  const committed: ((q: Queryable) => void)[] = [];
  // postgres.js keeps its pool to itself: count the work in flight, each piece holding at most one connection.
  let inFlight = 0;
  const counted = async <T>(work: () => Promise<T>): Promise<T> => {
    inFlight++;
    try {
      return await work();
    } finally {
      inFlight--;
    }
  };

  // The pool is opened on first use, after migrations, so it knows whether the role exists.
  // A failed check is retried on the next use: a passing fault must not silently drop the
  // module's confinement for the life of the process.
  const open = cachedUntilFailure(async () => {
    // CASE, not AND: SQL may evaluate has_schema_privilege first, which fails for a missing role.
    const [check] = await owner<{ ok: boolean }[]>`
      select case
        when exists (select 1 from pg_roles where rolname = ${role})
         and exists (select 1 from pg_namespace where nspname = ${schema})
        then has_schema_privilege(${role}, ${schema}, 'USAGE')
        else false
      end as ok`;
    const confined = check?.ok === true;
    confinement = confined ? `as role ${role}` : 'by search_path only';
    pool = postgres(url, {
      ...quiet,
      max,
      connection: { search_path: schema, application_name: `carve-${module}`, ...(confined ? { role } : {}) },
    });
    return drizzle({ client: pool }) as unknown as Queryable;
  });

  return {
    module,
    dialect: 'postgres',
    get location() {
      return `${redactUrl(url)} schema ${schema} (${confinement})`;
    },
    read: (work) => counted(async () => work(await open())),
    tx: async (work) => {
      let handle: Queryable | undefined;
      const result = await counted(async () => {
        const db = await open();
        const connection = await pool!.reserve();
        try {
          handle = transactionHandle(db, connection);
          return await inTransaction(connection, () => work(handle!));
        } finally {
          connection.release();
        }
      });
      for (const listener of committed) listener(handle!);
      return result;
    },
    pool: () => ({ busy: Math.min(inFlight, max), waiting: Math.max(0, inFlight - max), max }),
    onCommit: (listener) => {
      committed.push(listener);
    },
    execute: async (sql) => {
      await open();
      await pool!.unsafe(sql);
    },
    migrate: async (folder) => {
      const migrations = readMigrationFiles({ migrationsFolder: folder });
      return owner.begin(async (sql) => {
        // Serialises every process migrating this module; released at commit.
        await sql`select pg_advisory_xact_lock(hashtext(${`carve:migrate:${schema}`}))`;
        await sql.unsafe(`create schema if not exists "${schema}"`);
        await sql.unsafe(`set local search_path to "${schema}"`);
        await sql.unsafe('create table if not exists __carve_migrations (hash text primary key, created_at bigint not null)');
        const rows = await sql.unsafe<{ hash: string }[]>('select hash from __carve_migrations');
        const done = new Set(rows.map((r) => r.hash));
        let applied = 0;
        for (const m of migrations) {
          if (done.has(m.hash)) continue;
          for (const statement of m.sql) if (statement.trim()) await sql.unsafe(statement);
          await sql.unsafe('insert into __carve_migrations (hash, created_at) values ($1, $2)', [m.hash, m.folderMillis]);
          applied++;
        }
        await confineToSchema(sql, schema, role);
        return applied;
      });
    },
    ping: async () => {
      await owner`select 1`;
    },
    close: async () => {
      await Promise.all([owner.end({ timeout: 5 }), pool?.end({ timeout: 5 })]);
    },
  };
}

/**
 * inTransaction runs `work` between BEGIN and COMMIT on one reserved connection. BEGIN is
 * sent without waiting for its answer, so it leaves in the same write as the first
 * statement: drizzle's transaction (postgres.js's begin) waits for it, a round trip of
 * the eight or nine an order's transactions each spent on BEGIN. A BEGIN that fails
 * fails its connection's later statements too in practice (a connection is released
 * only out of a transaction); it is still checked before COMMIT, and the work undone.
 */
async function inTransaction<T>(connection: postgres.ReservedSql, work: () => Promise<T>): Promise<T> {
  const begun = connection.unsafe('begin').execute();
  // Awaited below; until then a failed BEGIN must not count as an unhandled rejection.
  begun.catch(() => {});
  try {
    const result = await work();
    await begun;
    await connection.unsafe('commit');
    return result;
  } catch (err) {
    await connection.unsafe('rollback').catch(() => {});
    throw err;
  }
}

/** Drizzle's internals a transaction handle is built from: the pool's dialect, so queries prepared() built once are reused. */
interface DrizzleInternals {
  dialect: ConstructorParameters<typeof PostgresJsTransaction>[0];
  session: { schema: ConstructorParameters<typeof PostgresJsTransaction>[2]; options: ConstructorParameters<typeof PostgresJsSession>[3] };
}

/**
 * transactionHandle is a drizzle handle that sends through `connection`, as drizzle's own
 * transaction builds one. No module nests a transaction, and this one could not: a
 * reserved connection has no savepoint().
 */
function transactionHandle(db: Queryable, connection: postgres.Sql): Queryable {
  const { dialect, session } = db as unknown as DrizzleInternals;
  // drizzle types a transaction's session as holding a TransactionSql, which has savepoint().
  const own = new PostgresJsSession(connection, dialect, session.schema, session.options) as unknown as ConstructorParameters<typeof PostgresJsTransaction>[1];
  return new PostgresJsTransaction(dialect, own, session.schema) as unknown as Queryable;
}
