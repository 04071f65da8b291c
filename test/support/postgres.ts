import postgres from 'postgres';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

const HOW_TO_START =
  'Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start ' +
  '(or point TEST_DATABASE_URL at a Postgres you can create databases on).';

/** assertPostgresReachable fails loudly, never skips, when the test Postgres is down. */
export async function assertPostgresReachable(): Promise<void> {
  const sql = postgres(TEST_DATABASE_URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (err) {
    throw new Error(`Postgres is not reachable at ${TEST_DATABASE_URL}: ${(err as Error).message}. ${HOW_TO_START}`);
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * createTestDatabase gives a test file a fresh Postgres database of its own, so files
 * run in parallel without seeing each other's rows.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  await assertPostgresReachable();
  const name = `carve_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end({ timeout: 1 });
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const sql = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
      await sql.end({ timeout: 1 });
    },
  };
}
