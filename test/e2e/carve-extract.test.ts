import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { firstDifference, readTable, seedNotifications } from '../../src/extracted/data-move/data-move.test-db.js';
import { migrationsFolder } from '../../src/shared/db/open-module-db.js';
import { openSqliteDb } from '../../src/shared/db/sqlite-db.js';
import { type TestDatabase, createTestDatabase } from '../support/postgres.js';

const ROOT = join(import.meta.dirname, '..', '..');
const ROWS = 100_000;

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * carve runs `npm run carve -- ...args` as its own process, as a person would, in an
 * environment holding only what the monolith's would. `onStderr` sees progress as it comes.
 */
function carve(args: string[], env: Record<string, string>, onStderr?: (text: string, child: ChildProcess) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/extracted/carve.ts', ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '3000',
      ...env,
    },
  });
  const run: Run = { code: null, signal: null, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => {
    run.stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    run.stderr += chunk.toString();
    onStderr?.(run.stderr, child);
  });
  return new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ ...run, code, signal }));
  });
}

// Each test starts carve as a process (a few seconds) and may move 100,000 rows twice.
describe('npm run carve', { timeout: 60_000 }, () => {
  let dir: string;
  let database: TestDatabase;
  let original: string[];
  const monolithFile = () => join(dir, 'data', 'notifications.db');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carve-cli-'));
    await seedNotifications(monolithFile(), ROWS);
    original = await readTable(`sqlite:${monolithFile()}`, 'notifications', 'notifications');
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('explains itself with --help, and rejects bad input with exit code 2', async () => {
    const help = await carve(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('npm run carve -- extract <module> --to <DATABASE_URL>');

    const unknown = await carve(['extract', 'billing', '--to', database.url], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      'Unknown module "billing": expected one of identity, catalog, payments, notifications, orders.',
    );

    const missing = await carve(['absorb', 'catalog'], {});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Missing --from <DATABASE_URL>');
  });

  it('extracts the monolith store into Postgres after a crash mid-copy, and prints what to run next', async () => {
    const env = { DATA_DIR: join(dir, 'data') };
    // Killed, not asked to stop: nothing of carve runs after the first tenth of the rows is reported.
    const killed = await carve(['extract', 'notifications', '--to', database.url], env, (stderr, child) => {
      if (/notifications: \d+\/100000 rows/.test(stderr)) child.kill('SIGKILL');
    });
    expect(killed.code).not.toBe(0);

    const run = await carve(['extract', 'notifications', '--to', database.url], env);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Verified notifications: row counts and checksums match for every table.');
    expect(run.stdout).toMatch(/Copied 100000 rows in [\d.]+ s: \d+ rows\/s \(resumed: \d+ new, \d+ already there/);
    expect(run.stdout).toContain(
      `DATABASE_URL='${database.url}' SERVICE_SECRET="$SERVICE_SECRET" IDENTITY_URL=http://127.0.0.1:3000 PORT=3004 npm run service -- notifications`,
    );
    expect(run.stdout).toContain('NOTIFICATIONS_URL=http://127.0.0.1:3004 SERVICE_SECRET="$SERVICE_SECRET"');
    expect(firstDifference(await readTable(database.url, 'notifications', 'notifications'), original)).toBeUndefined();
  });

  it('does nothing when the copy is already complete', async () => {
    const run = await carve(['extract', 'notifications', '--to', database.url], { DATA_DIR: join(dir, 'data') });

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Nothing to copy: the target already holds every row of the source.');
  });

  it('absorbs the module back into an empty monolith store', async () => {
    const run = await carve(['absorb', 'notifications', '--from', database.url], { DATA_DIR: join(dir, 'again') });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Copied 100000 rows in [\d.]+ s: \d+ rows\/s/);
    expect(run.stdout).toContain('unset NOTIFICATIONS_URL');
    const back = `sqlite:${join(dir, 'again', 'notifications.db')}`;
    expect(firstDifference(await readTable(back, 'notifications', 'notifications'), original)).toBeUndefined();
  });

  it('refuses, with exit code 1, a monolith store holding rows the service does not', async () => {
    const other = join(dir, 'other', 'notifications.db');
    const db = openSqliteDb('notifications', other);
    await db.migrate(migrationsFolder('notifications', 'sqlite'));
    await db.execute("insert into notifications values ('not-from-there', 'u', 'k', 's', 'b', 'dk', 1)");
    await db.close();

    const run = await carve(['absorb', 'notifications', '--from', database.url, '--to', `sqlite:${other}`], {});

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('did not come from this source: notifications row (id) = (not-from-there) is not in the source');
    expect(await readTable(`sqlite:${other}`, 'notifications', 'notifications')).toHaveLength(1);
  });

  it('fails with exit code 1 and the place it could not reach when Postgres is down', async () => {
    const run = await carve(['absorb', 'notifications', '--from', 'postgres://carve:hunter2@127.0.0.1:1/shop'], {
      DATA_DIR: join(dir, 'unused'),
    });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Cannot reach Postgres at postgres://carve:***@127.0.0.1:1/shop');
    expect(run.stderr).not.toContain('hunter2');
  });
});
