import { sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModuleDb } from './module-db.js';
import { openSqliteDb } from './sqlite-db.js';

// The SQLite handle's drizzle builder, as it really is underneath the shared Queryable type.
const sqlite = (q: unknown) => q as BetterSQLite3Database;

describe('a SQLite module database reusing its prepared statements', () => {
  let db: ModuleDb;
  afterEach(() => db.close());

  it('answers rows as objects again after the same statement was read as raw rows', async () => {
    db = openSqliteDb('t', ':memory:');
    await db.execute("create table item (id integer primary key, name text); insert into item (name) values ('mug'), ('cap')");
    const query = sql`select id, name from item order by id`;
    expect(await db.read(async (q) => sqlite(q).values(query))).toEqual([
      [1, 'mug'],
      [2, 'cap'],
    ]);
    expect(await db.read(async (q) => sqlite(q).all(query))).toEqual([
      { id: 1, name: 'mug' },
      { id: 2, name: 'cap' },
    ]);
  });

  it('gives the transactions of two turns of the event loop in a row one COMMIT', async () => {
    db = openSqliteDb('t', ':memory:');
    await db.execute('create table item (id integer primary key, name text)');
    let commits = 0;
    db.onCommit(() => commits++);
    const first = db.tx(async (q) => sqlite(q).run(sql`insert into item (name) values ('mug')`));
    await new Promise((resolve) => setImmediate(resolve));
    const second = db.tx(async (q) => sqlite(q).run(sql`insert into item (name) values ('cap')`));
    await Promise.all([first, second]);
    expect(commits).toBe(1);
    expect(await db.read(async (q) => sqlite(q).all(sql`select name from item order by id`))).toEqual([{ name: 'mug' }, { name: 'cap' }]);
  });

  it('still rolls back a failed transaction and commits the next', async () => {
    db = openSqliteDb('t', ':memory:');
    await db.execute('create table item (id integer primary key, name text not null)');
    await expect(db.tx(async (q) => sqlite(q).run(sql`insert into item (name) values (null)`))).rejects.toThrow(/insert into item/);
    await db.tx(async (q) => sqlite(q).run(sql`insert into item (name) values ('mug')`));
    expect(await db.read(async (q) => sqlite(q).all(sql`select name from item`))).toEqual([{ name: 'mug' }]);
  });
});
