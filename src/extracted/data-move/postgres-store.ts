import postgres from 'postgres';
import { redactUrl } from '../../shared/db/postgres-db.js';
import { type Value, canonicalRows, postgresKind } from './column-values.js';
import { MIGRATIONS_TABLE, keySql, unsupportedColumn } from './introspection.js';
import { type ModuleStore, type TableShape, quoteIdent } from './module-store.js';
import { MoveError } from './move-error.js';

// The Postgres wire protocol numbers bound parameters with 16 bits.
const MAX_PARAMETERS = 65_535;

/**
 * openPostgresStore opens a module's schema for a move over a connection of its own, as the
 * URL's user (the owner that ModuleDb.migrate runs as), not through the module's ModuleDb:
 * a move needs one read snapshot and raw bulk statements, which ModuleDb does not offer, and
 * the module's confined role may not exist where the user cannot create roles. It fails
 * with a MoveError when the server cannot be reached, naming the place.
 *
 * @example const target = await openPostgresStore('catalog', 'postgres://carve@db:5432/shop')
 */
export async function openPostgresStore(module: string, url: string): Promise<ModuleStore> {
  const schema = module;
  const location = `${redactUrl(url)} schema ${schema}`;
  const sql = postgres(url, {
    // Two, so that nothing queued behind a snapshot's transaction can wait on it forever.
    max: 2,
    onnotice: () => {},
    connect_timeout: 10,
    connection: { application_name: `carve-move-${module}` },
  });
  try {
    await sql`select 1`;
  } catch (err) {
    await sql.end({ timeout: 1 });
    // 3D000: the server answered, but the database is not there; carve makes schemas, not databases.
    const hint =
      (err as { code?: string }).code === '3D000'
        ? ' (create the database first; carve creates the schema and tables in it)'
        : '';
    throw new MoveError(`Cannot reach Postgres at ${redactUrl(url)}: ${(err as Error).message}${hint}`);
  }
  // Inserts go through a connection of their own whose commits do not wait for the disk (a
  // wait that was a third of the copy's time): a crash of the server then loses only whole
  // pages, which a re-run copies again, and flush() makes every page durable before the move
  // counts it as copied. Set on the session, as poolers such as PgBouncer refuse it as a
  // startup parameter.
  let writer: ReturnType<typeof sql.reserve> | undefined;
  const writing = () =>
    (writer ??= sql.reserve().then(async (connection) => {
      await connection`set synchronous_commit = off`;
      return connection;
    }));
  // Reads go through the snapshot's transaction while one is open.
  let reader: postgres.Sql | postgres.TransactionSql = sql;
  const qualified = (table: TableShape) => `${quoteIdent(schema)}.${quoteIdent(table.name)}`;
  const columnsOf = (table: TableShape) => table.columns.map((c) => quoteIdent(c.name)).join(', ');
  // Integers go as text of unknown type: the server reads each as its column's own integer
  // type, and the driver never has to guess int4 or int8 from a JS value.
  const native = (v: Value) => (typeof v === 'bigint' ? v.toString() : v);
  const query = (text: string, params: Value[] = []) =>
    reader.unsafe(text, params.map(native) as postgres.ParameterOrJSON<never>[], { prepare: true }).values();

  // The declared type of each column, for the casts of an unnest insert.
  const declared = new Map<string, string>();
  const columnTypes = async (table: TableShape) => {
    if (declared.size === 0) {
      const rows = await reader<{ table_name: string; column_name: string; type: string }[]>`
        select c.relname as table_name, a.attname as column_name, format_type(a.atttypid, a.atttypmod) as type
        from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relkind in ('r', 'p') and a.attnum > 0 and not a.attisdropped`;
      for (const r of rows) declared.set(`${r.table_name}.${r.column_name}`, r.type);
    }
    return table.columns.map((c) => declared.get(`${table.name}.${c.name}`) ?? 'text');
  };

  return {
    dialect: 'postgres',
    location,
    async appliedMigrations() {
      const [found] = await reader<
        { ok: boolean }[]
      >`select to_regclass(${`${quoteIdent(schema)}.${MIGRATIONS_TABLE}`}) is not null as ok`;
      if (!found?.ok) return undefined;
      const rows = await reader.unsafe<{ hash: string }[]>(`select hash from ${quoteIdent(schema)}.${MIGRATIONS_TABLE}`);
      return rows.map((r) => r.hash);
    },
    async tables() {
      const columns = await reader<{ table_name: string; column_name: string; data_type: string }[]>`
        select c.table_name, c.column_name, c.data_type
        from information_schema.columns c
        join information_schema.tables t
          on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
        where c.table_schema = ${schema} and c.table_name <> ${MIGRATIONS_TABLE}
        order by c.table_name, c.ordinal_position`;
      const keys = await reader<{ table_name: string; column_name: string }[]>`
        select tc.table_name, k.column_name
        from information_schema.table_constraints tc
        join information_schema.key_column_usage k
          on k.constraint_schema = tc.constraint_schema and k.constraint_name = tc.constraint_name
        where tc.table_schema = ${schema} and tc.constraint_type = 'PRIMARY KEY'
        order by tc.table_name, k.ordinal_position`;
      const names = [...new Set(columns.map((c) => c.table_name))].sort();
      return names.map((name) => ({
        name,
        columns: columns
          .filter((c) => c.table_name === name)
          .map((c) => ({
            name: c.column_name,
            kind: postgresKind(c.data_type) ?? unsupportedColumn(module, name, c.column_name, c.data_type),
          })),
        primaryKey: keys.filter((k) => k.table_name === name).map((k) => k.column_name),
      }));
    },
    async count(table) {
      const [row] = await query(`select count(*) from ${qualified(table)}`);
      return Number(row?.[0] ?? 0);
    },
    async page(table, after, limit) {
      const key = keySql(table.primaryKey, (i) => `$${i + 1}`);
      const where = after ? `where ${key.tuple} > ${key.tupleMarks}` : '';
      const rows = await query(
        `select ${columnsOf(table)} from ${qualified(table)} ${where} order by ${key.list} limit ${limit}`,
        after,
      );
      return canonicalRows(module, table, rows);
    },
    async findByKeys(table, keys) {
      if (keys.length === 0) return [];
      const width = table.primaryKey.length;
      const tuple = keySql(table.primaryKey, () => '').tuple;
      const list = keys.map((_, k) => keySql(table.primaryKey, (i) => `$${k * width + i + 1}`).tupleMarks).join(', ');
      const rows = await query(`select ${columnsOf(table)} from ${qualified(table)} where ${tuple} in (${list})`, keys.flat());
      return canonicalRows(module, table, rows);
    },
    async insert(table, rows, skipPresent) {
      if (rows.length === 0) return 0;
      // One array per column, unnested server-side: a statement with one parameter per
      // column parses and plans in the same time whatever the batch size, unlike a VALUES
      // list with one parameter per value. One statement is one implicit transaction.
      const types = await columnTypes(table);
      const arrays = table.columns.map((_, c) => arrayLiteral(rows.map((row) => row[c] ?? null)));
      const casts = types.map((type, i) => `$${i + 1}::${type}[]`).join(', ');
      const skip = skipPresent ? ` on conflict (${keySql(table.primaryKey, () => '').list}) do nothing` : '';
      const result = await (await writing()).unsafe(
        `insert into ${qualified(table)} (${columnsOf(table)}) select * from unnest(${casts})${skip}`,
        arrays,
        { prepare: true },
      );
      return result.count;
    },
    async flush() {
      // Rows arrive with their serial keys (the outbox's and inbox's seq), which leaves each
      // sequence behind: the service's next insert would take a key a copied row holds.
      const serials = await sql<{ seq: string; table_name: string; column_name: string }[]>`
        select pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name) as seq, table_name, column_name
        from information_schema.columns
        where table_schema = ${schema} and column_default like 'nextval(%'`;
      // A commit that waits flushes the log up to its own record, so every commit before it
      // too, on any connection: the sequences' new values, and every page copied.
      await sql.begin(async (tx) => {
        await tx`set local synchronous_commit = on`;
        for (const s of serials) {
          const table = `${quoteIdent(schema)}.${quoteIdent(s.table_name)}`;
          await tx.unsafe(`select setval($1, coalesce((select max(${quoteIdent(s.column_name)}) from ${table}), 0) + 1, false)`, [s.seq]);
        }
        await tx`select pg_current_xact_id()`;
      });
    },
    maxBatch(table) {
      return Math.floor(MAX_PARAMETERS / Math.max(table.primaryKey.length, 1));
    },
    async snapshot(work) {
      return sql.begin('isolation level repeatable read read only', async (tx) => {
        reader = tx;
        try {
          return await work();
        } finally {
          reader = sql;
        }
      }) as Promise<Awaited<ReturnType<typeof work>>>;
    },
    async close() {
      await writer?.then(
        (connection) => connection.release(),
        () => {},
      );
      await sql.end({ timeout: 5 });
    },
  };
}

/**
 * arrayLiteral writes values as a Postgres array literal of text, which the server casts to
 * the column's array type. Written here rather than left to the driver, which would guess
 * each array's type from its first element, a null in one row of a batch.
 */
function arrayLiteral(values: Value[]): string {
  // One string built up, and a regex replace only for the rare value that needs escaping:
  // a copy writes every value it moves through here.
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) out += ',';
    if (v === null || v === undefined) {
      out += 'NULL';
      continue;
    }
    const text =
      typeof v === 'string' ? v : Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : typeof v === 'boolean' ? (v ? 't' : 'f') : String(v);
    out += `"${NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, '\\$&') : text}"`;
  }
  return `${out}}`;
}

// Inside a quoted array element only a backslash and a double quote need a backslash.
const NEEDS_ESCAPE = /[\\"]/;
const ESCAPED = /[\\"]/g;
