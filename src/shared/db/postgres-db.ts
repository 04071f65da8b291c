import { readMigrationFiles } from 'drizzle-orm/migrator';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { ModuleDb, Queryable } from './module-db.js';

/** redact hides the password of a connection URL. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparseable)';
  }
}

/**
 * openPostgresDb opens a pool for one module whose search_path is that module's own
 * schema, so its unqualified table names resolve there and nowhere else.
 *
 * @example const db = openPostgresDb('catalog', process.env.DATABASE_URL, { max: 5 })
 */
export function openPostgresDb(module: string, url: string, { max }: { max: number }): ModuleDb {
  const schema = module;
  const client = postgres(url, {
    max,
    onnotice: () => {},
    connection: { search_path: schema, application_name: `carve-${module}` },
  });
  const q = drizzle({ client }) as unknown as Queryable;
  return {
    module,
    dialect: 'postgres',
    location: `${redactUrl(url)} schema ${schema}`,
    read: (work) => work(q),
    tx: (work) => q.transaction((tx) => work(tx as unknown as Queryable)),
    execute: async (sql) => {
      await client.unsafe(sql);
    },
    migrate: async (folder) => {
      const migrations = readMigrationFiles({ migrationsFolder: folder });
      return client.begin(async (sql) => {
        // Serialises every process migrating this module; released at commit.
        await sql`select pg_advisory_xact_lock(hashtext(${`carve:migrate:${schema}`}))`;
        await sql.unsafe(`create schema if not exists "${schema}"`);
        await sql.unsafe(
          `create table if not exists "${schema}".__carve_migrations (hash text primary key, created_at bigint not null)`,
        );
        const rows = await sql.unsafe<{ hash: string }[]>(`select hash from "${schema}".__carve_migrations`);
        const done = new Set(rows.map((r) => r.hash));
        let applied = 0;
        for (const m of migrations) {
          if (done.has(m.hash)) continue;
          for (const statement of m.sql) if (statement.trim()) await sql.unsafe(statement);
          await sql.unsafe(`insert into "${schema}".__carve_migrations (hash, created_at) values ($1, $2)`, [
            m.hash,
            m.folderMillis,
          ]);
          applied++;
        }
        return applied;
      });
    },
    ping: async () => {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 5 }),
  };
}
