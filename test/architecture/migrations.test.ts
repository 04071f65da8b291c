import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Dialect, ModuleDb } from '../../src/shared/db/module-db.js';
import { migrationsFolder } from '../../src/shared/db/open-module-db.js';
import { openPostgresDb } from '../../src/shared/db/postgres-db.js';
import { openSqliteDb } from '../../src/shared/db/sqlite-db.js';
import { type TestDatabase, createTestDatabase } from '../support/postgres.js';

const ROOT = join(import.meta.dirname, '..', '..');
const MODULES_DIR = join(ROOT, 'src', 'modules');
const DRIZZLE_KIT = join(ROOT, 'node_modules', 'drizzle-kit', 'bin.cjs');
const KIT_DIALECT: Record<Dialect, string> = { sqlite: 'sqlite', postgres: 'postgresql' };
const DIALECTS: Dialect[] = ['sqlite', 'postgres'];
// drizzle-kit exits 0 even when it fails (a rename prompt without a TTY, say), so only this line counts as "up to date".
const UP_TO_DATE = 'No schema changes, nothing to migrate';

const tablesFile = (m: string, d: Dialect) => join(MODULES_DIR, m, `${m}.tables.${d}.ts`);
const sqlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.sql'));

// Every module with table files, found on disk so a new module is checked without editing this file.
const modules = readdirSync(MODULES_DIR).filter((m) => DIALECTS.some((d) => existsSync(tablesFile(m, d))));
const cases = modules.flatMap((m) => DIALECTS.map((d) => [m, d] as const));

/**
 * generateInto runs `drizzle-kit generate` for one module and dialect into `dir` (a copy of
 * the committed migrations, or nothing) and returns the .sql files it added and what it said.
 */
function generateInto(dir: string, m: string, d: Dialect): Promise<{ added: string[]; output: string }> {
  const before = existsSync(dir) ? sqlFiles(dir) : [];
  // drizzle-kit prefixes --out with './', so it runs in the parent folder with a relative --out.
  const args = [DRIZZLE_KIT, 'generate', `--dialect=${KIT_DIALECT[d]}`, `--schema=${tablesFile(m, d)}`, `--out=${d}`];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: join(dir, '..'), timeout: 60_000 }, (err, stdout, stderr) => {
      const added = existsSync(dir) ? sqlFiles(dir).filter((f) => !before.includes(f)) : [];
      resolve({ added, output: `${stdout}${stderr}${err ? `\n${err.message}` : ''}` });
    });
  });
}

describe('committed migrations', () => {
  let scratch: string;
  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'carve-migrations-'));
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('covers every module with tables', () => {
    expect(modules).toContain('notifications');
  });

  // Half a second per drizzle-kit run alone; run concurrently, all ten take about 4 s here.
  it.concurrent.for(cases)('%s (%s) match the table files', async ([m, d], { expect }) => {
    const committed = migrationsFolder(m, d);
    expect(existsSync(committed), `no migrations/${m}/${d}: run npm run db:generate -- ${m}`).toBe(true);
    const dir = join(scratch, `${m}-${d}`, d);
    cpSync(committed, dir, { recursive: true });
    const { added, output } = await generateInto(dir, m, d);
    expect(added, `stale: run npm run db:generate -- ${m}\n${output}`).toEqual([]);
    expect(output).toContain(UP_TO_DATE);
  });

  it.concurrent('reports a module whose migrations are missing', async ({ expect }) => {
    const dir = join(scratch, 'missing', 'sqlite');
    mkdirSync(dir, { recursive: true });
    const { added, output } = await generateInto(dir, 'notifications', 'sqlite');
    expect(added).toHaveLength(1);
    expect(output).not.toContain(UP_TO_DATE);
  });
});

/** recorded counts the migrations a database has recorded, and how many distinct ones. */
async function recorded(d: Dialect, where: string, m: string): Promise<{ rows: number; distinct: number }> {
  const query = 'select count(*) as "rows", count(distinct hash) as "distinct" from';
  if (d === 'sqlite') {
    const client = new Database(where, { readonly: true });
    try {
      return client.prepare(`${query} __carve_migrations`).get() as { rows: number; distinct: number };
    } finally {
      client.close();
    }
  }
  const sql = postgres(where, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql.unsafe(`${query} "${m}".__carve_migrations`);
    return { rows: Number(row?.rows), distinct: Number(row?.distinct) };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

describe.each(DIALECTS)('applying migrations (%s)', (d) => {
  let dir: string;
  let pg: TestDatabase | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carve-migrate-'));
    if (d === 'postgres') pg = await createTestDatabase();
  });
  afterAll(async () => {
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const where = (m: string) => (d === 'sqlite' ? join(dir, `${m}.db`) : pg!.url);
  const open = (m: string): ModuleDb =>
    d === 'sqlite' ? openSqliteDb(m, where(m)) : openPostgresDb(m, where(m), { max: 2 });

  it.each(modules)('records each %s migration once with two handles at once, and again applies none', async (m) => {
    const folder = migrationsFolder(m, d);
    const total = readMigrationFiles({ migrationsFolder: folder }).length;
    const [a, b] = [open(m), open(m)];
    try {
      const applied = await Promise.all([a.migrate(folder), b.migrate(folder)]);
      expect(applied[0] + applied[1]).toBe(total);
      expect(await a.migrate(folder)).toBe(0);
      expect(await b.migrate(folder)).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    expect(await recorded(d, where(m), m)).toEqual({ rows: total, distinct: total });
  });
});

/** migrateInChild migrates every module's SQLite file in `dir` from a separate Node process. */
function migrateInChild(dir: string): Promise<number[]> {
  const code = `
    import { openSqliteDb } from ${JSON.stringify(join(ROOT, 'src/shared/db/sqlite-db.ts'))};
    import { migrationsFolder } from ${JSON.stringify(join(ROOT, 'src/shared/db/open-module-db.ts'))};
    const applied = [];
    for (const m of ${JSON.stringify(modules)}) {
      const db = openSqliteDb(m, ${JSON.stringify(dir)} + '/' + m + '.db');
      applied.push(await db.migrate(migrationsFolder(m, 'sqlite')));
      await db.close();
    }
    console.log(JSON.stringify(applied));`;
  const args = ['--import', 'tsx', '--input-type=module', '-e', code];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`child migration failed: ${stderr || err.message}`));
      else resolve(JSON.parse(stdout) as number[]);
    });
  });
}

describe('applying SQLite migrations from two processes at once', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'carve-migrate-procs-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records each migration once', async () => {
    const [first, second] = await Promise.all([migrateInChild(dir), migrateInChild(dir)]);
    for (const [i, m] of modules.entries()) {
      const total = readMigrationFiles({ migrationsFolder: migrationsFolder(m, 'sqlite') }).length;
      expect((first![i] ?? 0) + (second![i] ?? 0), m).toBe(total);
      expect(await recorded('sqlite', join(dir, `${m}.db`), m), m).toEqual({ rows: total, distinct: total });
    }
  });
});
