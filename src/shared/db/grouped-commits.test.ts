import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModuleDb } from './module-db.js';
import { openSqliteDb } from './sqlite-db.js';

// The SQLite handle's drizzle builder, as it really is underneath the shared Queryable type.
const sqlite = (q: unknown) => q as BetterSQLite3Database;
const insert = (name: string | null) => (q: unknown) => Promise.resolve(sqlite(q).run(sql`insert into item (name) values (${name})`));

describe('SQLite transactions begun together, sharing one commit', () => {
  let dir: string;
  let db: ModuleDb;
  // Another connection to the same file, as another process or the sqlite3 shell would see it.
  let other: Database.Database;
  const seenElsewhere = () => other.prepare('select name from item order by id').pluck().all();

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carve-grouped-'));
    db = openSqliteDb('t', join(dir, 't.db'));
    await db.execute('create table item (id integer primary key, name text not null)');
    other = new Database(join(dir, 't.db'), { readonly: true });
  });
  afterEach(async () => {
    other.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits transactions begun in the same turn once, and answers each only after its rows are committed', async () => {
    let commits = 0;
    db.onCommit(() => commits++);
    const visibleWhenAnswered: unknown[][] = [];
    await Promise.all(['mug', 'cap', 'tee'].map((name) => db.tx(insert(name)).then(() => visibleWhenAnswered.push(seenElsewhere()))));
    expect(commits).toBe(1);
    expect(visibleWhenAnswered).toEqual([
      ['mug', 'cap', 'tee'],
      ['mug', 'cap', 'tee'],
      ['mug', 'cap', 'tee'],
    ]);
  });

  it('fails only the transaction that failed, whether it came first or in the middle of a group', async () => {
    const outcomes = await Promise.allSettled([db.tx(insert(null)), db.tx(insert('mug')), db.tx(insert(null)), db.tx(insert('cap'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
    expect(seenElsewhere()).toEqual(['mug', 'cap']);
    expect(await db.read(async (q) => sqlite(q).all(sql`select name from item order by id`))).toEqual([{ name: 'mug' }, { name: 'cap' }]);
  });

  it('tells every transaction in a group that it failed when their shared COMMIT fails, and keeps none of them', async () => {
    // A deferred foreign key is checked only at COMMIT: the orphan fails the whole group.
    await db.execute(
      'create table parent (id integer primary key); create table child (id integer primary key, parent_id integer not null references parent (id) deferrable initially deferred)',
    );
    const outcomes = await Promise.allSettled([
      db.tx((q) => Promise.resolve(sqlite(q).run(sql`insert into parent (id) values (1)`))),
      db.tx((q) => Promise.resolve(sqlite(q).run(sql`insert into child (id, parent_id) values (1, 99)`))),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(other.prepare('select count(*) from parent').pluck().get()).toBe(0);
    // The connection is usable again afterwards.
    await db.tx(insert('mug'));
    expect(seenElsewhere()).toEqual(['mug']);
  });

  it('commits the open group before a read, so a read sees only committed rows', async () => {
    const written = db.tx(insert('mug'));
    const read = await db.read(async (q) => {
      // What the read sees is already in the file for everyone.
      const elsewhere = seenElsewhere();
      return { elsewhere, here: sqlite(q).all(sql`select name from item`) };
    });
    expect(read).toEqual({ elsewhere: ['mug'], here: [{ name: 'mug' }] });
    await written;
  });

  it('commits at once while a second connection in this process has the file open, which could not wait for the end of the turn', async () => {
    const second = openSqliteDb('t', join(dir, 't.db'));
    try {
      // The second connection writes early in the next turn, before the first's group would
      // be committed. better-sqlite3 waits for SQLite's lock synchronously: had the first
      // connection kept it to the end of the turn, the second would wait out its busy
      // timeout, holding up that very turn, and fail.
      const early = new Promise<void>((done, fail) => setImmediate(() => second.tx(insert('cap')).then(() => done(), fail)));
      await Promise.all([db.tx(insert('mug')), early]);
      expect(seenElsewhere()).toEqual(['mug', 'cap']);
    } finally {
      await second.close();
    }
  });

  it('commits each transaction before the next one on the line starts, while it commits at once', async () => {
    const second = openSqliteDb('t', join(dir, 't.db'));
    try {
      const first = db.tx(insert('mug'));
      // Waiting for the lock: it writes, then fails after an await, so its row must go.
      const failing = db.tx(async (q) => {
        sqlite(q).run(sql`insert into item (name) values ('cap')`);
        await Promise.resolve();
        throw new Error('changed its mind');
      });
      await first;
      await expect(failing).rejects.toThrow('changed its mind');
      expect(seenElsewhere()).toEqual(['mug']);
    } finally {
      await second.close();
    }
  });
});
