import Database from 'better-sqlite3';
import postgres from 'postgres';
import { migrationsFolder } from '../../shared/db/open-module-db.js';
import { openSqliteDb } from '../../shared/db/sqlite-db.js';

/**
 * seedNotifications creates a migrated notifications store in a SQLite file, as the
 * monolith leaves it, and fills it with `count` rows in one statement: text with quotes,
 * newlines and non-ASCII, and epoch milliseconds in the integer column.
 *
 * @example await seedNotifications(join(dir, 'notifications.db'), 100_000)
 */
export async function seedNotifications(file: string, count: number): Promise<void> {
  const db = openSqliteDb('notifications', file);
  await db.migrate(migrationsFolder('notifications', 'sqlite'));
  await db.execute(`
    with recursive n(i) as (select 1 union all select i + 1 from n where i < ${count})
    insert into notifications (id, user_id, kind, subject, body, dedupe_key, created_at)
    select printf('ntf-%07d', i), 'user-' || (i % 97), 'order-placed', 'Grüße ✓ #' || i,
           'line 1' || char(10) || 'it''s "quoted" \\ ' || i, 'order-' || i || ':placed', 1700000000000 + i * 7
    from n`);
  await db.close();
}

/**
 * readTable reads every row of a table straight from the database, each row as JSON with
 * every value as text, sorted: what the data is, read without the code under test.
 *
 * @example expect(firstDifference(await readTable(a, 'notifications', 'notifications'), ...)).toBeUndefined()
 */
export async function readTable(url: string, module: string, table: string): Promise<string[]> {
  const text = (row: Record<string, unknown>) =>
    JSON.stringify(
      Object.keys(row)
        .sort()
        .map((k) => (row[k] === null ? null : String(row[k]))),
    );
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true });
    try {
      const rows = db.prepare(`select * from "${table}"`).safeIntegers(true).all() as Record<string, unknown>[];
      return rows.map(text).sort();
    } finally {
      db.close();
    }
  }
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(`select * from "${module}"."${table}"`)).map(text).sort();
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/**
 * firstDifference names the first place two sorted row lists differ, or undefined when
 * they are the same rows; a failing test then shows one row, not two lists of 100,000.
 *
 * @example expect(firstDifference(before, after)).toBeUndefined()
 */
export function firstDifference(a: string[], b: string[]): string | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `row ${i} of ${a.length} / ${b.length}: ${a[i]} != ${b[i]}`;
  }
  return undefined;
}
