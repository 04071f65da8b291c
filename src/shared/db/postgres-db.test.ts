import { readMigrationFiles } from 'drizzle-orm/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, type TestDatabase, createTestDatabase } from '../../../test/support/postgres.js';
import { migrationsFolder } from './open-module-db.js';
import { openPostgresDb } from './postgres-db.js';

describe('a Postgres user who may not create roles', () => {
  let database: TestDatabase;
  const user = `carve_limited_${Math.random().toString(36).slice(2, 8)}`;
  const admin = () => postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });

  beforeAll(async () => {
    database = await createTestDatabase();
    const sql = admin();
    await sql.unsafe(`create role "${user}" login nocreaterole nosuperuser`);
    await sql.unsafe(`alter database "${new URL(database.url).pathname.slice(1)}" owner to "${user}"`);
    await sql.end();
  });
  afterAll(async () => {
    await database.drop();
    const sql = admin();
    await sql.unsafe(`drop role if exists "${user}"`);
    await sql.end();
  });

  it('still migrates and works, scoped by search_path, and says so', async () => {
    const url = new URL(database.url);
    url.username = user;
    const db = openPostgresDb('notifications', url.toString(), { max: 2 });
    try {
      const folder = migrationsFolder('notifications', 'postgres');
      expect(await db.migrate(folder)).toBe(readMigrationFiles({ migrationsFolder: folder }).length);
      await db.execute('select count(*) from notifications');
      expect(db.location).toMatch(/schema notifications \(by search_path only\)/);
      expect(db.location).not.toContain('password');
    } finally {
      await db.close();
    }
  });
});

describe('a Postgres handle whose first use fails', () => {
  const name = `carve_t_late_${Math.random().toString(36).slice(2, 8)}`;
  const admin = () => postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  afterAll(async () => {
    const sql = admin();
    await sql.unsafe(`drop database if exists "${name}" with (force)`);
    await sql.end();
  });

  it('tries again on the next use, and is confined once the database is there', async () => {
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    const db = openPostgresDb('notifications', url.toString(), { max: 2 });
    try {
      await expect(db.read((q) => q.execute('select 1'))).rejects.toThrow(/does not exist/);
      const sql = admin();
      await sql.unsafe(`create database "${name}"`);
      await sql.end();
      await db.migrate(migrationsFolder('notifications', 'postgres'));
      await db.execute('select count(*) from notifications');
      expect(db.location).toMatch(/schema notifications \(as role carve_notifications\)/);
    } finally {
      await db.close();
    }
  });
});
