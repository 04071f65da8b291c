import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { ModuleDb, Queryable } from './module-db.js';
import { checkpointOffThread } from './background-checkpoint.js';
import { groupCommits } from './grouped-commits.js';
import { oneAtATime } from './one-at-a-time.js';

/**
 * openSqliteDb opens one module's SQLite file with WAL on. better-sqlite3 is
 * synchronous and drizzle cannot run an async transaction on it, so transactions run
 * under a lock, one writer at a time as SQLite allows, and those of two turns of the
 * event loop share a COMMIT (grouped-commits.ts). A file's checkpoints run on a thread
 * of their own (background-checkpoint.ts).
 *
 * @example const db = openSqliteDb('catalog', './data/catalog.db')
 */
export function openSqliteDb(module: string, file: string): ModuleDb {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const client = new Database(file);
  // The timeout first: switching a new file to WAL takes a lock another process starting at once may hold.
  client.pragma('busy_timeout = 5000');
  switchToWal(client);
  client.pragma('synchronous = NORMAL');
  client.pragma('foreign_keys = ON');
  client.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  const q = drizzle({ client }) as unknown as Queryable;
  reuseStatements(client);
  const exclusive = oneAtATime();
  const committed: ((q: Queryable) => void)[] = [];
  const key = file === ':memory:' ? undefined : resolve(file);
  if (key) openHere.set(key, (openHere.get(key) ?? 0) + 1);
  const background = key ? checkpointOffThread(client, key) : undefined;
  const commits = groupCommits(client, {
    afterCommit: () => {
      background?.committed();
      for (const listener of committed) listener(q);
    },
    // At the end of the next turn of the event loop, after whatever else is waiting for the
    // lock. An order's next step begins as the COMMIT before it answers, at the end of a
    // turn, and the new requests arrive in the next: a group open across both holds them all.
    // In paired runs under 16 clients, 10–20% less main-thread CPU an order; one client saw no change.
    scheduleSettle: () => setImmediate(() => setImmediate(() => void exclusive(commits.settle))),
    // A second connection to the file in this process would wait for the lock synchronously,
    // blocking the very turn whose end releases it; so while there is one, commit at once.
    mayDefer: () => !key || openHere.get(key) === 1,
  });
  // Reads, raw statements, migrations and closing see only committed rows: they commit the open group first.
  const settled = <T>(work: () => T | Promise<T>) =>
    exclusive(() => {
      commits.settle();
      return work();
    });

  return {
    module,
    dialect: 'sqlite',
    location: file,
    read: (work) => settled(() => work(q)),
    // Two promises a transaction besides the work's own, where a lock and a result to unwrap made five:
    // what it is answered with after its COMMIT, and the wait for its work.
    tx: <T>(work: (q: Queryable) => Promise<T>) =>
      new Promise<T>((resolve, reject) => exclusive.enter((leave) => commits.run(() => work(q), { resolve, reject }, leave))),
    onCommit: (listener) => {
      committed.push(listener);
    },
    execute: async (sql) => {
      await settled(() => client.exec(sql));
    },
    migrate: (folder) =>
      settled(() => {
        const migrations = readMigrationFiles({ migrationsFolder: folder });
        client.exec('BEGIN IMMEDIATE');
        try {
          client.exec('create table if not exists __carve_migrations (hash text primary key, created_at integer not null)');
          const done = new Set(client.prepare('select hash from __carve_migrations').pluck().all());
          const record = client.prepare('insert into __carve_migrations (hash, created_at) values (?, ?)');
          let applied = 0;
          for (const m of migrations) {
            if (done.has(m.hash)) continue;
            for (const statement of m.sql) if (statement.trim()) client.exec(statement);
            record.run(m.hash, m.folderMillis);
            applied++;
          }
          client.exec('COMMIT');
          return applied;
        } catch (err) {
          if (client.inTransaction) client.exec('ROLLBACK');
          throw err;
        }
      }),
    ping: async () => {
      client.prepare('select 1').get();
    },
    close: async () => {
      await background?.release();
      await settled(() => {
        client.close();
        if (key) openHere.set(key, openHere.get(key)! - 1);
      });
    },
  };
}

/** How many connections this process has open to each SQLite file, by its full path. */
const openHere = new Map<string, number>();

/**
 * switchToWal turns WAL on, trying again while another process holds the file. SQLite
 * answers SQLITE_BUSY at once, without waiting out busy_timeout, when waiting could
 * deadlock: this connection reads the schema first, and another process starting at the
 * same moment may be switching or migrating. It happens only at start-up, so the wait
 * blocks, as better-sqlite3 itself does.
 */
function switchToWal(client: Database.Database): void {
  const giveUpAt = Date.now() + 5_000;
  for (;;) {
    try {
      client.pragma('journal_mode = WAL');
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > giveUpAt) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 25);
    }
  }
}

/**
 * Each module's page cache, in KiB. better-sqlite3 builds SQLite with 16 MB a connection
 * (SQLite's own default is 2 MB), and a monolith holds one connection per module: under
 * sustained load its five caches filled to about 77 MB and the process sat near 240 MB
 * RSS. An order touches the newest pages of a few tables and indexes, which 4 MB holds.
 */
const SQLITE_CACHE_KIB = 4_000;

/** How many distinct statements a module keeps prepared; its queries number in the dozens. */
const KEEP_STATEMENTS = 500;

/**
 * reuseStatements keeps each statement once prepared: drizzle asks better-sqlite3 to
 * prepare every query it runs, and preparing costs about as much as running. A reused
 * statement is handed back in its default mode, since drizzle switches some to raw rows.
 */
function reuseStatements(client: Database.Database): void {
  const prepare = client.prepare.bind(client);
  const kept = new Map<string, Database.Statement>();
  client.prepare = ((source: string) => {
    let statement = kept.get(source);
    if (statement) {
      // Most recently used last, so the first is the one to drop.
      kept.delete(source);
      if (statement.reader) statement.raw(false).pluck(false);
    } else {
      statement = prepare(source);
      if (kept.size >= KEEP_STATEMENTS) kept.delete(kept.keys().next().value!);
    }
    kept.set(source, statement);
    return statement;
  }) as typeof client.prepare;
}
