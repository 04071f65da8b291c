import Database from 'better-sqlite3';
import { asc } from 'drizzle-orm';
import { integer as pgInteger, pgTable, text as pgText } from 'drizzle-orm/pg-core';
import { drizzle as pgDrizzle } from 'drizzle-orm/postgres-js';
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { literalLimit } from './literal-limit.js';

const sqliteNotes = sqliteTable('notes', { id: text('id').primaryKey(), seq: integer('seq').notNull() });
const pgNotes = pgTable('notes', { id: pgText('id').primaryKey(), seq: pgInteger('seq').notNull() });

describe('literalLimit', () => {
  it('writes the limit into the SQL on both dialects, with no parameter for it', () => {
    const onSqlite = sqliteDrizzle.mock().select().from(sqliteNotes).orderBy(asc(sqliteNotes.seq)).limit(literalLimit(25)).toSQL();
    const onPostgres = pgDrizzle.mock().select().from(pgNotes).orderBy(asc(pgNotes.seq)).limit(literalLimit(25)).toSQL();
    for (const query of [onSqlite, onPostgres]) {
      expect(query.sql).toMatch(/ limit 25$/);
      expect(query.params).toEqual([]);
    }
  });

  it('limits the rows a SQLite query returns', async () => {
    const client = new Database(':memory:');
    client.exec('create table notes (id text primary key, seq integer not null)');
    const q = sqliteDrizzle({ client });
    for (let seq = 1; seq <= 5; seq++) await q.insert(sqliteNotes).values({ id: `n${seq}`, seq });
    const rows = await q.select().from(sqliteNotes).orderBy(asc(sqliteNotes.seq)).limit(literalLimit(2));
    expect(rows.map((r) => r.id)).toEqual(['n1', 'n2']);
    client.close();
  });

  it('refuses what is not a whole number from 0, so nothing else reaches the SQL', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => literalLimit(bad)).toThrow(RangeError);
  });
});
