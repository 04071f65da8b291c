import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, createTestDatabase } from '../../../test/support/postgres.js';
import { bigint, pgTable, text as pgText } from 'drizzle-orm/pg-core';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { type ModuleDb, pickTables } from './module-db.js';
import { openPostgresDb } from './postgres-db.js';
import { p, prepared } from './prepared.js';
import { openSqliteDb } from './sqlite-db.js';
import { isUniqueViolation } from './unique-violation.js';

// A prepared query is built once per module database. What must hold in both dialects:
// each call runs with its own values, and inside a transaction it is part of that
// transaction (on Postgres a transaction has its own connection, so the query built on
// the pool or in an earlier transaction must be sent through this one's).

const dialects: [string, () => Promise<{ db: ModuleDb; done: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'carve-prepared-'));
      const db = openSqliteDb('notifications', join(dir, 'n.db'));
      return { db, done: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'postgres',
    async () => {
      const database: TestDatabase = await createTestDatabase();
      const db = openPostgresDb('notifications', database.url, { max: 2 });
      return { db, done: () => database.drop() };
    },
  ],
];

// A table of the test's own, in each dialect: shared code may not reach a module's tables.
const notes = {
  sqlite: sqliteTable('notes', { id: text('id').primaryKey(), userId: text('user_id').notNull(), createdAt: integer('created_at').notNull() }),
  postgres: pgTable('notes', { id: pgText('id').primaryKey(), userId: pgText('user_id').notNull(), createdAt: bigint('created_at', { mode: 'number' }).notNull() }),
};

/** notesMigration writes a one-step drizzle migrations folder creating the notes table. */
const folders: string[] = [];
function notesMigration(): string {
  const folder = mkdtempSync(join(tmpdir(), 'carve-notes-migration-'));
  folders.push(folder);
  mkdirSync(join(folder, 'meta'));
  const entry = { idx: 0, version: '7', when: 1, tag: '0000_notes', breakpoints: true };
  writeFileSync(join(folder, 'meta/_journal.json'), JSON.stringify({ version: '7', dialect: 'sqlite', entries: [entry] }));
  writeFileSync(join(folder, '0000_notes.sql'), 'create table notes (id text primary key, user_id text not null, created_at bigint not null);');
  return folder;
}

describe.each(dialects)('prepared queries on %s', (_name, open) => {
  let db: ModuleDb;
  let done: () => Promise<void>;
  const n = () => pickTables(db.dialect, notes);
  let insert: ReturnType<typeof prepared>;
  let byUser: ReturnType<typeof prepared<{ id: string }[]>>;
  const row = (id: string, userId: string) => ({ id, userId, createdAt: Date.now() });

  beforeAll(async () => {
    ({ db, done } = await open());
    await db.migrate(notesMigration());
    insert = prepared((q) => q.insert(n()).values({ id: p('id'), userId: p('userId'), createdAt: p('createdAt') }).prepare('test_insert'));
    byUser = prepared((q) => q.select({ id: n().id }).from(n()).where(eq(n().userId, p('userId'))).orderBy(desc(n().id)).prepare('test_by_user'));
  });
  afterAll(async () => {
    await db.close();
    await done();
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it('runs each call with its own values', async () => {
    await db.tx((q) => insert(q, row('a1', 'ann')));
    await db.tx((q) => insert(q, row('b1', 'bob')));
    await db.tx((q) => insert(q, row('a2', 'ann')));
    expect(await db.read((q) => byUser(q, { userId: 'ann' }))).toEqual([{ id: 'a2' }, { id: 'a1' }]);
    expect(await db.read((q) => byUser(q, { userId: 'bob' }))).toEqual([{ id: 'b1' }]);
  });

  it('fails as a rejected promise a caller can tell apart: a duplicate key is a unique violation', async () => {
    await db.tx((q) => insert(q, row('f1', 'fay')));
    let pending: Promise<unknown> | undefined;
    const failure = await db
      .tx((q) => {
        // Called outside any await: a failing statement must still come back as a rejection, not a throw.
        pending = insert(q, row('f1', 'fay'));
        return pending;
      })
      .catch((err: unknown) => err);
    expect(pending).toBeInstanceOf(Promise);
    expect(isUniqueViolation(failure)).toBe(true);
    expect(await db.read((q) => byUser(q, { userId: 'fay' }))).toEqual([{ id: 'f1' }]);
  });

  it('is part of the transaction it runs in: a rollback undoes it, and the transaction sees its own write', async () => {
    const seen = await db
      .tx(async (q) => {
        await insert(q, row('c1', 'cat'));
        const inside = await byUser(q, { userId: 'cat' });
        throw Object.assign(new Error('roll back'), { inside });
      })
      .catch((err: { inside: unknown }) => err.inside);
    expect(seen).toEqual([{ id: 'c1' }]);
    expect(await db.read((q) => byUser(q, { userId: 'cat' }))).toEqual([]);
  });

  it('keeps transactions running side by side apart: each sees its own write, and only the committed one stays', async () => {
    // On SQLite transactions take turns, so the second starts once the first has ended;
    // on Postgres the second reads while the first holds its write uncommitted.
    const together = db.dialect === 'postgres';
    let danWrote!: () => void;
    let eveRead!: () => void;
    const danWritten = new Promise<void>((resolve) => (danWrote = resolve));
    const eveHasRead = new Promise<void>((resolve) => (eveRead = resolve));
    const kept = db.tx(async (q) => {
      await insert(q, row('d1', 'dan'));
      danWrote();
      if (together) await eveHasRead;
      return byUser(q, { userId: 'dan' });
    });
    const undone = db
      .tx(async (q) => {
        await insert(q, row('e1', 'eve'));
        if (together) await danWritten;
        const inside = await byUser(q, { userId: 'dan' });
        eveRead();
        throw Object.assign(new Error('roll back'), { inside });
      })
      .catch((err: { inside: unknown }) => err.inside);
    expect(await kept).toEqual([{ id: 'd1' }]);
    // Postgres: the other transaction ran at once on its own connection and saw nothing uncommitted.
    expect(await undone).toEqual(together ? [] : [{ id: 'd1' }]);
    expect(await db.read((q) => byUser(q, { userId: 'eve' }))).toEqual([]);
  });
});
