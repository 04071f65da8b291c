import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Column, getTableName, is } from 'drizzle-orm';
import * as pg from 'drizzle-orm/pg-core';
import * as sqlite from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';

const MODULES_DIR = join(import.meta.dirname, '..', '..', 'src', 'modules');

// Types that mean the same thing in both dialects; the conventions allow nothing else.
const TYPE_FAMILY: Record<string, string> = {
  text: 'text',
  varchar: 'text',
  char: 'text',
  'character varying': 'text',
  integer: 'integer',
  int: 'integer',
  smallint: 'integer',
  bigint: 'integer',
  bigserial: 'integer',
  serial: 'integer',
  real: 'real',
  'double precision': 'real',
  numeric: 'numeric',
  blob: 'blob',
  bytea: 'blob',
};

/** typeFamily maps `varchar(64)` to `text`, `bigint` to `integer`; an unknown type stays itself, so it differs. */
function typeFamily(column: Column): string {
  const sqlType = column.getSQLType().toLowerCase().replace(/\(.*\)$/, '').trim();
  return TYPE_FAMILY[sqlType] ?? sqlType;
}

const names = (columns: { name: string }[]) => columns.map((c) => c.name).join(',');

/** tableShape is what must match across dialects: every column, key, unique, index and foreign key. */
function tableShape(table: pg.PgTable | sqlite.SQLiteTable) {
  const config = is(table, pg.PgTable) ? pg.getTableConfig(table) : sqlite.getTableConfig(table as sqlite.SQLiteTable);
  const columns = config.columns as Column[];
  return {
    name: config.name,
    columns: columns
      .map((c) => ({
        name: c.name,
        type: typeFamily(c),
        // The JS type a row carries: a Postgres bigint in 'bigint' mode would hand out bigints, not numbers.
        dataType: c.dataType,
        notNull: c.notNull,
        primaryKey: c.primary,
        hasDefault: c.hasDefault,
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    primaryKeys: config.primaryKeys.map((pk) => names(pk.columns)).sort(),
    uniques: [
      ...columns.filter((c) => c.isUnique).map((c) => c.name),
      ...config.uniqueConstraints.map((u) => names(u.columns)),
    ].sort(),
    indexes: config.indexes
      .map(({ config: i }) => {
        const columnList = names(i.columns as { name: string }[]);
        return `${i.unique ? 'unique ' : ''}(${columnList})${i.where ? ' partial' : ''}`;
      })
      .sort(),
    foreignKeys: config.foreignKeys
      .map((fk) => {
        const ref = fk.reference();
        return `${names(ref.columns)} -> ${getTableName(ref.foreignTable)}(${names(ref.foreignColumns)})`;
      })
      .sort(),
  };
}

/** tableShapes describes every table a table file exports, by table name. */
function tableShapes(exports: Record<string, unknown>) {
  const tables = Object.values(exports).filter((v) => is(v, pg.PgTable) || is(v, sqlite.SQLiteTable)) as (
    | pg.PgTable
    | sqlite.SQLiteTable
  )[];
  return Object.fromEntries(tables.map((t) => [getTableName(t), tableShape(t)]));
}

// Discovered, not listed, so a new module is covered the day its table files appear.
const modules = readdirSync(MODULES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .filter((m) => ['sqlite', 'postgres'].some((d) => existsSync(join(MODULES_DIR, m, `${m}.tables.${d}.ts`))));

describe('table parity', () => {
  it('finds modules with tables to compare', () => {
    expect(modules).toContain('notifications');
  });

  describe.each(modules)('%s', (m) => {
    it('defines the same tables, columns, keys, uniques and indexes for SQLite and Postgres', async () => {
      const sqliteFile = join(MODULES_DIR, m, `${m}.tables.sqlite.ts`);
      const pgFile = join(MODULES_DIR, m, `${m}.tables.postgres.ts`);
      expect(existsSync(sqliteFile), `${m} has no ${m}.tables.sqlite.ts`).toBe(true);
      expect(existsSync(pgFile), `${m} has no ${m}.tables.postgres.ts`).toBe(true);
      const sqliteShapes = tableShapes(await import(sqliteFile));
      const pgShapes = tableShapes(await import(pgFile));
      expect(Object.keys(sqliteShapes).length, `${m}.tables.sqlite.ts exports no table`).toBeGreaterThan(0);
      expect(pgShapes).toEqual(sqliteShapes);
    });
  });
});

describe('the table comparison', () => {
  const sqliteNotes = sqlite.sqliteTable(
    'notes',
    { id: sqlite.text('id').primaryKey(), body: sqlite.text('body').notNull(), at: sqlite.integer('at').notNull() },
    (t) => [sqlite.unique().on(t.body, t.at)],
  );
  // Each Postgres twin below changes one thing from the matching one; each must be caught.
  const id = () => pg.text('id').primaryKey();
  const body = () => pg.text('body').notNull();
  const at = () => pg.bigint('at', { mode: 'number' }).notNull();
  const bodyAt = (t: { body: pg.AnyPgColumn; at: pg.AnyPgColumn }) => [pg.unique().on(t.body, t.at)];

  it('accepts tables that differ only in dialect spelling (varchar is text, bigint is integer)', () => {
    const twin = pg.pgTable('notes', { id: pg.varchar('id', { length: 64 }).primaryKey(), body: body(), at: at() }, bodyAt);
    expect(tableShapes({ notes: twin })).toEqual(tableShapes({ notes: sqliteNotes }));
  });

  it.each([
    ['nullability', pg.pgTable('notes', { id: id(), body: pg.text('body'), at: at() }, bodyAt)],
    ['a type family', pg.pgTable('notes', { id: id(), body: body(), at: pg.text('at').notNull() }, bodyAt)],
    ['the JS type', pg.pgTable('notes', { id: id(), body: body(), at: pg.bigint('at', { mode: 'bigint' }).notNull() }, bodyAt)],
    ['a primary key', pg.pgTable('notes', { id: pg.text('id').notNull(), body: body(), at: at() }, bodyAt)],
    ['a default', pg.pgTable('notes', { id: id(), body: body().default(''), at: at() }, bodyAt)],
    ['a missing column', pg.pgTable('notes', { id: id(), body: body() }, (t) => [pg.unique().on(t.body)])],
    ['a unique constraint', pg.pgTable('notes', { id: id(), body: body(), at: at() })],
    ['an index', pg.pgTable('notes', { id: id(), body: body(), at: at() }, (t) => [...bodyAt(t), pg.index('at_idx').on(t.at)])],
  ])('rejects tables that differ in %s', (_, twin) => {
    expect(tableShapes({ notes: twin })).not.toEqual(tableShapes({ notes: sqliteNotes }));
  });
});
