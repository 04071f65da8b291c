import Database from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { p } from './prepared.js';
import { onSqlite } from './sqlite-prepared.js';

// onSqlite replaces drizzle's per-call work on SQLite, so what it answers must be what
// drizzle answers: each query below runs both ways on the same rows. If a drizzle upgrade
// changed what a prepared query holds, onSqlite would give up (undefined) and the order
// flow would quietly slow down; the first test catches that.

const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  admin: integer('admin', { mode: 'boolean' }).notNull(),
  prefs: text('prefs', { mode: 'json' }).$type<{ theme: string }>(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});
const posts = sqliteTable('posts', { id: text('id').primaryKey(), userId: text('user_id').notNull(), title: text('title').notNull() });

let q: ReturnType<typeof drizzle>;
beforeEach(() => {
  const client = new Database(':memory:');
  client.exec('create table users (id text primary key, name text not null, admin integer not null, prefs text, created_at integer not null)');
  client.exec('create table posts (id text primary key, user_id text not null, title text not null)');
  q = drizzle({ client });
  q.insert(users).values({ id: 'u1', name: 'Ann', admin: true, prefs: { theme: 'dark' }, createdAt: new Date(1_700_000_000_000) }).run();
  q.insert(users).values({ id: 'u2', name: 'Bob', admin: false, prefs: null, createdAt: new Date(1_700_000_000_001) }).run();
  q.insert(posts).values({ id: 'p1', userId: 'u1', title: 'Hello' }).run();
});

type Prepared = { execute(values?: Record<string, unknown>): { sync(): unknown } };
const queries: [string, () => Prepared, Record<string, unknown>][] = [
  ['a select of whole rows, decoded (boolean, json, timestamp)', () => q.select().from(users).where(eq(users.id, p('id'))).prepare(), { id: 'u1' }],
  ['a select of no rows', () => q.select().from(users).where(eq(users.id, p('id'))).prepare(), { id: 'nobody' }],
  ['a select of chosen columns', () => q.select({ name: users.name }).from(users).where(eq(users.id, p('id'))).prepare(), { id: 'u2' }],
  ['an expression with its own decoder', () => q.select({ n: sql<number>`count(*)`.mapWith(Number), label: sql<string>`'x'`.as('label') }).from(users).prepare(), {}],
  ['a join, whose rows drizzle nests', () => q.select().from(users).leftJoin(posts, eq(posts.userId, users.id)).where(eq(users.id, p('id'))).prepare(), { id: 'u2' }],
  ['a select by another value', () => q.select({ id: users.id }).from(users).where(eq(users.name, p('name'))).prepare(), { name: 'Ann' }],
];

describe('onSqlite', () => {
  it('takes over every kind of query the modules prepare', () => {
    const kinds = [
      q.insert(users).values({ id: p('id'), name: p('name'), admin: p('admin'), createdAt: p('at') }).prepare(),
      q.select().from(users).prepare(),
      q.select().from(users).where(eq(users.id, p('id'))).prepare(),
      q.update(users).set({ name: sql`${p('name')}` }).where(eq(users.id, p('id'))).returning().prepare(),
    ];
    for (const query of kinds) expect(onSqlite(query)).toBeTypeOf('function');
  });

  it.each(queries)('answers as drizzle does: %s', (_name, build, values) => {
    const query = build();
    const ours = onSqlite(query)!;
    expect(ours).toBeTypeOf('function');
    expect(ours(values)).toEqual(query.execute(values).sync());
  });

  it('answers get and values as drizzle does', () => {
    const one = q.select({ name: users.name }).from(users).where(eq(users.id, p('id'))).prepare();
    const asGet = Object.assign(Object.create(one), { executeMethod: 'get' });
    expect(onSqlite(asGet)!({ id: 'u1' })).toEqual({ name: 'Ann' });
    expect(onSqlite(asGet)!({ id: 'nobody' })).toBeUndefined();
    const asValues = Object.assign(Object.create(one), { executeMethod: 'values' });
    expect(onSqlite(asValues)!({ id: 'u1' })).toEqual([['Ann']]);
  });

  it('encodes a value as its column does, and writes the same row as drizzle', () => {
    const insert = q.insert(users).values({ id: p('id'), name: p('name'), admin: p('admin'), prefs: p('prefs'), createdAt: p('at') }).prepare();
    onSqlite(insert)!({ id: 'u3', name: 'Cy', admin: true, prefs: { theme: 'light' }, at: new Date(5) });
    insert.execute({ id: 'u4', name: 'Cy', admin: true, prefs: { theme: 'light' }, at: new Date(5) }).sync();
    const [a, b] = q.select().from(users).where(sql`${users.id} in ('u3', 'u4')`).orderBy(users.id).all();
    expect({ ...a, id: 'same' }).toEqual({ ...b, id: 'same' });
    expect(a).toMatchObject({ admin: true, prefs: { theme: 'light' }, createdAt: new Date(5) });
  });

  it('refuses a call missing one of its values, as drizzle does', () => {
    const query = q.select().from(users).where(eq(users.id, p('id'))).prepare();
    expect(() => onSqlite(query)!({})).toThrow('No value for placeholder "id" was provided');
  });

  it('gives up on anything that is not a better-sqlite3 prepared query', () => {
    expect(onSqlite({ execute: () => undefined })).toBeUndefined();
  });
});
