import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RESTART_PAGES, SQLITE_CHECKPOINT_PAGES, checkpointInBackground } from './background-checkpoint.js';
import type { ModuleDb } from './module-db.js';
import { openSqliteDb } from './sqlite-db.js';

const sqlite = (q: unknown) => q as BetterSQLite3Database;
const PAGE = 4_096;

describe("a SQLite file's checkpoints, run on a thread of their own", () => {
  let dir: string;
  let file: string;
  let db: ModuleDb | undefined;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carve-checkpoint-'));
    file = join(dir, 'shop.db');
    db = openSqliteDb('shop', file);
    await db.execute('create table note (id integer primary key, body text not null)');
  });
  afterEach(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const write = (bytes: number) => db!.tx(async (q) => sqlite(q).run(sql`insert into note (body) values (${'x'.repeat(bytes)})`));

  it('copies committed pages into the database file, though too few for the committing connection to checkpoint', async () => {
    const before = statSync(file).size;
    // About 200 pages, a fifth of SQLite's own threshold: only the thread copies them now.
    for (let i = 0; i < 50; i++) await write(16_000);
    await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before + 50 * 16_000), { timeout: 5_000, interval: 25 });
  });

  it('keeps the WAL near the size at which it starts over while commits never pause', async () => {
    let largest = 0;
    // About 7,500 pages over a second or two, as a steady load writes them: a batch of
    // transactions at a time, so a new group begins as soon as one commits.
    for (let batch = 0; batch < 375; batch++) {
      await Promise.all(Array.from({ length: 5 }, () => write(16_000)));
      largest = Math.max(largest, statSync(`${file}-wal`).size);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(largest).toBeGreaterThan(SQLITE_CHECKPOINT_PAGES * PAGE);
    // What is written in a round or two of the thread's past RESTART_PAGES, not all 7,500.
    expect(largest).toBeLessThan((RESTART_PAGES + 1_500) * PAGE);
  });

  it('leaves no WAL behind once closed, as SQLite does by itself', async () => {
    for (let i = 0; i < 20; i++) await write(16_000);
    await db!.close();
    db = undefined;
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(statSync(file).size).toBeGreaterThan(20 * 16_000);
  });

  it('hands a file it cannot open back to its own connection, saying why', async () => {
    const reason = await new Promise<string>((resolve) => checkpointInBackground(join(dir, 'missing', 'gone.db'), () => {}, resolve));
    expect(reason).toMatch(/directory does not exist|unable to open/);
  });

  it('lets a process end with the thread idle, and waits for it when the process awaits a close', () => {
    const module = pathToFileURL(join(import.meta.dirname, 'sqlite-db.ts')).href;
    const script = `
      import { sql } from 'drizzle-orm';
      import { openSqliteDb } from ${JSON.stringify(module)};
      const closed = openSqliteDb('a', ${JSON.stringify(join(dir, 'a.db'))});
      const left = openSqliteDb('b', ${JSON.stringify(join(dir, 'b.db'))});
      await closed.execute('create table t (x)');
      await closed.tx(async (q) => q.run(sql.raw('insert into t values (1)')));
      await left.execute('create table t (x)');
      // Long enough for the thread's round to end: then only its answer to the close is left to wait for.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await closed.close();
      console.log('closed');`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('closed');
    expect(run.status).toBe(0);
  });
});
