import { MoveError } from './move-error.js';

/**
 * ColumnKind is what a column holds, whichever dialect stores it. The conventions allow
 * only text and integers (ids, cents, epoch milliseconds); real, boolean and blob are here
 * so that a module which bends them is moved correctly rather than silently mangled.
 */
export type ColumnKind = 'integer' | 'real' | 'text' | 'boolean' | 'blob';

/**
 * Value is a column value in canonical form: integers are bigint (a Postgres bigint does
 * not fit a JS number, and postgres.js hands it over as a string), blobs are Buffers.
 */
export type Value = bigint | number | string | boolean | Buffer | null;

/**
 * sqliteKind maps a SQLite declared type to a kind by SQLite's own affinity rules, so
 * `integer`, `INT` and `bigint` all count as integers.
 *
 * @example sqliteKind('integer') // 'integer'
 */
export function sqliteKind(declared: string): ColumnKind | undefined {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'integer';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'text';
  if (t === '' || t.includes('BLOB')) return 'blob';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'real';
  if (t.includes('BOOL')) return 'boolean';
  return undefined;
}

const POSTGRES_KINDS: Record<string, ColumnKind> = {
  smallint: 'integer',
  integer: 'integer',
  bigint: 'integer',
  real: 'real',
  'double precision': 'real',
  text: 'text',
  'character varying': 'text',
  character: 'text',
  boolean: 'boolean',
  bytea: 'blob',
};

/**
 * postgresKind maps an information_schema data_type to a kind.
 *
 * @example postgresKind('bigint') // 'integer'
 */
export function postgresKind(dataType: string): ColumnKind | undefined {
  return POSTGRES_KINDS[dataType];
}

/**
 * commonKind is the kind a column has on both sides, or undefined when they cannot hold
 * the same values. SQLite has no boolean type, so a Postgres boolean lives in a SQLite integer.
 *
 * @example commonKind('integer', 'boolean') // 'boolean'
 */
export function commonKind(a: ColumnKind, b: ColumnKind): ColumnKind | undefined {
  if (a === b) return a;
  const pair = new Set([a, b]);
  return pair.has('integer') && pair.has('boolean') ? 'boolean' : undefined;
}

const INTEGER_TEXT = /^-?\d+$/;

/**
 * canonicalRows turns rows as a driver returned them (one array per row, in the table's
 * column order) into canonical rows. It throws rather than guess: SQLite lets any column
 * hold any type, and a text value in an integer column would not survive the trip to
 * Postgres. It converts in place, as the arrays are the caller's own: a copy converts every
 * value it moves, so neither a new array per row nor a column's name per value (built only
 * for the error) is worth allocating.
 *
 * @example const rows = canonicalRows('orders', table, stmt.raw(true).all())
 */
export function canonicalRows(
  module: string,
  table: { readonly name: string; readonly columns: readonly { readonly name: string; readonly kind: ColumnKind }[] },
  rows: unknown[][],
): Value[][] {
  const kinds = table.columns.map((c) => c.kind);
  for (const row of rows) {
    for (let i = 0; i < kinds.length; i++) {
      const value = convert(kinds[i]!, row[i]);
      if (value === INVALID) throw invalid(kinds[i]!, row[i], `${module}.${table.name}.${table.columns[i]!.name}`);
      row[i] = value;
    }
  }
  return rows as Value[][];
}

const INVALID = Symbol('invalid');

function convert(kind: ColumnKind, raw: unknown): Value | typeof INVALID {
  if (raw === null || raw === undefined) return null;
  switch (kind) {
    case 'integer':
      if (typeof raw === 'bigint') return raw;
      if (typeof raw === 'number' && Number.isInteger(raw)) return BigInt(raw);
      if (typeof raw === 'string' && INTEGER_TEXT.test(raw)) return BigInt(raw);
      break;
    case 'real':
      if (typeof raw === 'number') return raw;
      if (typeof raw === 'bigint') return Number(raw);
      if (typeof raw === 'string' && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
      break;
    case 'text':
      if (typeof raw === 'string') return raw;
      break;
    case 'boolean':
      if (typeof raw === 'boolean') return raw;
      if (raw === 0 || raw === 0n) return false;
      if (raw === 1 || raw === 1n) return true;
      break;
    case 'blob':
      if (raw instanceof Uint8Array) return Buffer.from(raw);
      break;
  }
  return INVALID;
}

function invalid(kind: ColumnKind, raw: unknown, where: string): MoveError {
  return new MoveError(`${where} holds ${describe(raw)}, which is not a valid ${kind}; fix that row in the source first.`);
}

function describe(raw: unknown): string {
  if (typeof raw === 'string') return `the text ${JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)}`;
  return `a ${typeof raw} value`;
}

/**
 * encodeForDigest writes a canonical value as JSON-safe data for the checksum: the same
 * logical value gives the same output whichever dialect it was read from.
 *
 * @example JSON.stringify(row.map(encodeForDigest))
 */
export function encodeForDigest(value: Value): string | number | boolean | null {
  if (typeof value === 'bigint') return value.toString();
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  return value;
}
