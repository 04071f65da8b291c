import type { Statement } from 'better-sqlite3';
import * as orm from 'drizzle-orm';
import { Column, Param, Placeholder, SQL, Subquery, is } from 'drizzle-orm';

/** What drizzle's better-sqlite3 prepared query holds (drizzle-orm/better-sqlite3/session.js); sqlite-prepared.test.ts checks it still does. */
interface SqliteQuery {
  stmt: Statement;
  query: { params: unknown[] };
  executeMethod: 'run' | 'all' | 'get' | 'values';
  fields?: { path: string[]; field: unknown }[];
  joinsNotNullableMap?: Record<string, boolean>;
  customResultMapper?: (rows: unknown[][]) => unknown;
}

type Values = Record<string, unknown>;
type RowMapper = (row: unknown[]) => unknown;

/** drizzle's own row mapping, for rows it nests (joins): exported by drizzle-orm, though its types call it internal. */
const mapResultRow = (orm as unknown as { mapResultRow?: (fields: unknown[], row: unknown[], nullable?: Record<string, boolean>) => unknown }).mapResultRow;

/**
 * onSqlite runs a query drizzle built on better-sqlite3 as drizzle's prepared query runs
 * it (the same statement, values and rows), with where each value goes worked out once.
 * drizzle works that out on every call, telling its wrapped values apart by walking
 * their classes, then maps each row the same way: about a third of a microsecond a value
 * or a column, and an order runs thirty-odd statements. drizzle's query logger is not
 * called (Carve sets none). Undefined for anything else, which runs through drizzle.
 *
 * @example const run = onSqlite<Row[]>(q.select().from(t).where(eq(t.id, p('id'))).prepare()); run?.({ id })
 */
export function onSqlite<R>(built: unknown): ((values: Values) => R) | undefined {
  const q = built as Partial<SqliteQuery>;
  if (!q.stmt || !Array.isArray(q.query?.params) || !q.executeMethod) return undefined;
  const { stmt } = q;
  const fill = valuesInPlace(q.query.params);
  const toRow = rowMapper(q);
  if ((q.executeMethod === 'all' || q.executeMethod === 'get') && toRow === undefined) return undefined;
  switch (q.executeMethod) {
    case 'run':
      return (values) => stmt.run(...fill(values)) as R;
    case 'values':
      return (values) => stmt.raw().all(...fill(values)) as R;
    case 'all':
      if (toRow === null) return (values) => stmt.all(...fill(values)) as R;
      if (q.customResultMapper) return (values) => q.customResultMapper!(stmt.raw().all(...fill(values)) as unknown[][]) as R;
      return (values) => (stmt.raw().all(...fill(values)) as unknown[][]).map(toRow!) as R;
    case 'get':
      if (toRow === null) return (values) => stmt.get(...fill(values)) as R;
      return (values) => {
        const row = stmt.raw().get(...fill(values)) as unknown[] | undefined;
        if (!row) return undefined as R;
        return (q.customResultMapper ? q.customResultMapper([row]) : toRow!(row)) as R;
      };
    default:
      return undefined;
  }
}

/** valuesInPlace is drizzle's fillPlaceholders decided once: each parameter is a constant, a named value, or a named value its column encodes. */
function valuesInPlace(params: unknown[]): (values: Values) => unknown[] {
  const slots = params.map((param): { name: string; encode?: (v: unknown) => unknown } | { constant: unknown } => {
    if (is(param, Placeholder)) return { name: param.name };
    if (is(param, Param) && is(param.value, Placeholder)) return { name: param.value.name, encode: (v) => param.encoder.mapToDriverValue(v) };
    return { constant: param };
  });
  return (values) =>
    slots.map((slot) => {
      if ('constant' in slot) return slot.constant;
      if (!(slot.name in values)) throw new Error(`No value for placeholder "${slot.name}" was provided`);
      return slot.encode ? slot.encode(values[slot.name]) : values[slot.name];
    });
}

/**
 * rowMapper is how a query's rows become objects: null when the driver's own rows are
 * the answer (no fields), a flat mapper with each column's decoder found once, or
 * drizzle's mapResultRow for nested rows; undefined if none is available.
 */
function rowMapper(q: Partial<SqliteQuery>): RowMapper | null | undefined {
  const { fields, joinsNotNullableMap: nullable, customResultMapper } = q;
  if (!fields && !customResultMapper) return null;
  // A query with its own mapper (drizzle's relational queries) is handed the raw rows.
  if (customResultMapper) return (row) => row;
  if (fields!.every((f) => f.path.length === 1)) {
    const columns = fields!.map(({ path, field }) => ({ name: path[0]!, decoder: decoderOf(field) }));
    return (row) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < columns.length; i++) {
        const raw = row[i];
        out[columns[i]!.name] = raw === null ? null : columns[i]!.decoder.mapFromDriverValue(raw);
      }
      return out;
    };
  }
  return mapResultRow ? (row) => mapResultRow(fields!, row, nullable) : undefined;
}

/** decoderOf is the column or expression that turns a selected field's driver value into its value, as drizzle's mapResultRow finds it. */
function decoderOf(field: unknown): Decoder {
  // An expression's decoder is internal in drizzle's types.
  type Decoded = { decoder: Decoder };
  if (is(field, Column)) return field;
  if (is(field, SQL)) return (field as unknown as Decoded).decoder;
  if (is(field, Subquery)) return (field as unknown as { _: { sql: Decoded } })._.sql.decoder;
  return (field as { sql: Decoded }).sql.decoder;
}

interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}
