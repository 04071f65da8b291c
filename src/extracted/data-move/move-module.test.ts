import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, createTestDatabase } from '../../../test/support/postgres.js';
import { migrationsFolder } from '../../shared/db/open-module-db.js';
import { openPostgresDb } from '../../shared/db/postgres-db.js';
import { openSqliteDb } from '../../shared/db/sqlite-db.js';
import { firstDifference, readTable, seedNotifications } from './data-move.test-db.js';
import { MoveError, MoveInterrupted } from './move-error.js';
import { type MoveProgress, moveModule } from './move-module.js';

const ROWS = 100_000;

// 100,000 rows a move: generous per-test time for a loaded 2-core CI machine, never an assertion.
describe('moving notifications between SQLite and Postgres', { timeout: 60_000 }, () => {
  let dir: string;
  let monolith: string;
  const databases: TestDatabase[] = [];
  const freshPostgres = async () => {
    const db = await createTestDatabase();
    databases.push(db);
    return db.url;
  };
  let service: string;
  let original: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carve-move-'));
    monolith = `sqlite:${join(dir, 'notifications.db')}`;
    await seedNotifications(join(dir, 'notifications.db'), ROWS);
    original = await readTable(monolith, 'notifications', 'notifications');
    service = await freshPostgres();
  });
  afterAll(async () => {
    await Promise.all(databases.map((d) => d.drop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('extracts every row into Postgres, and proves it with equal row counts and checksums', async () => {
    const report = await moveModule({ module: 'notifications', from: monolith, to: service });

    expect(report.outcome).toBe('copied');
    expect(report.sent).toBe(ROWS);
    const table = report.tables.find((t) => t.name === 'notifications');
    expect(table).toMatchObject({ name: 'notifications', inserted: ROWS, source: { rows: ROWS }, target: { rows: ROWS } });
    expect(table!.target.checksum).toBe(table!.source.checksum);
    expect(firstDifference(await readTable(service, 'notifications', 'notifications'), original)).toBeUndefined();
  });

  it('leaves the Postgres schema as the service migrates it, usable by the confined role', async () => {
    const db = openPostgresDb('notifications', service, { max: 1 });
    try {
      expect(await db.migrate(migrationsFolder('notifications', 'postgres'))).toBe(0);
      const [row] = await db.read((q) => q.execute('select count(*)::int as n from notifications'));
      expect(row).toEqual({ n: ROWS });
      expect(db.location).toContain('as role carve_notifications');
    } finally {
      await db.close();
    }
  });

  it('changes nothing when run again after a complete copy', async () => {
    const report = await moveModule({ module: 'notifications', from: monolith, to: service });

    expect(report.outcome).toBe('complete');
    expect(report.sent).toBe(0);
    expect(report.tables.find((t) => t.name === 'notifications')!.target.rows).toBe(ROWS);
  });

  it('absorbs every row back from Postgres into a fresh SQLite store', async () => {
    const back = `sqlite:${join(dir, 'back', 'notifications.db')}`;
    const report = await moveModule({ module: 'notifications', from: service, to: back });

    expect(report.outcome).toBe('copied');
    for (const table of report.tables) expect(table.target).toEqual(table.source);
    expect(firstDifference(await readTable(back, 'notifications', 'notifications'), original)).toBeUndefined();
  });

  it('refuses a target holding a row the source does not hold, and leaves it untouched', async () => {
    const target = await freshPostgres();
    const db = openPostgresDb('notifications', target, { max: 1 });
    await db.migrate(migrationsFolder('notifications', 'postgres'));
    await db.execute("insert into notifications values ('someone-else', 'u', 'k', 's', 'b', 'dk-foreign', 1)");
    await db.close();

    await expect(moveModule({ module: 'notifications', from: monolith, to: target })).rejects.toThrow(
      /holds notifications data that did not come from this source: notifications row \(id\) = \(someone-else\) is not in the source/,
    );
    expect(await readTable(target, 'notifications', 'notifications')).toHaveLength(1);
  });

  it('refuses a target whose copy of a row differs from the source', async () => {
    const stale = join(dir, 'stale', 'notifications.db');
    const db = openSqliteDb('notifications', stale);
    await db.migrate(migrationsFolder('notifications', 'sqlite'));
    await db.execute(
      "insert into notifications values ('ntf-0000042', 'user-42', 'order-placed', 'old subject', 'b', 'order-42:placed', 1)",
    );
    await db.close();

    await expect(moveModule({ module: 'notifications', from: service, to: `sqlite:${stale}` })).rejects.toThrow(
      /row \(id\) = \(ntf-0000042\) differs from the same row in the source/,
    );
  });

  it('resumes an interrupted copy, adding only the rows that were missing', async () => {
    const target = await freshPostgres();
    const stop = new AbortController();
    let copied = 0;
    const progress: MoveProgress = {
      note() {},
      begin() {},
      advance(_table, rows) {
        copied += rows;
        if (copied >= 30_000) stop.abort();
      },
      end() {},
    };

    await expect(
      moveModule({ module: 'notifications', from: monolith, to: target, batch: 2000, progress, signal: stop.signal }),
    ).rejects.toBeInstanceOf(MoveInterrupted);
    expect(await readTable(target, 'notifications', 'notifications')).toHaveLength(30_000);

    const report = await moveModule({ module: 'notifications', from: monolith, to: target });
    expect(report.outcome).toBe('resumed');
    expect(report.tables.find((t) => t.name === 'notifications')!.inserted).toBe(ROWS - 30_000);
    expect(firstDifference(await readTable(target, 'notifications', 'notifications'), original)).toBeUndefined();
  });

  it('resumes a copy interrupted between pages of another size, in both directions', async () => {
    // Pages of 1500 stop at 31,500 rows, inside the resumed run's page of 30,000 to 32,000:
    // that page reaches a target holding part of it.
    const moves = [
      { from: monolith, to: await freshPostgres() },
      { from: service, to: `sqlite:${join(dir, 'realigned', 'notifications.db')}` },
    ];
    for (const { from, to } of moves) {
      const stop = new AbortController();
      let copied = 0;
      const progress: MoveProgress = {
        note() {},
        begin() {},
        advance(_table, rows) {
          copied += rows;
          if (copied >= 31_000) stop.abort();
        },
        end() {},
      };
      await expect(
        moveModule({ module: 'notifications', from, to, batch: 1500, progress, signal: stop.signal }),
      ).rejects.toBeInstanceOf(MoveInterrupted);
      expect(await readTable(to, 'notifications', 'notifications')).toHaveLength(31_500);

      const report = await moveModule({ module: 'notifications', from, to, batch: 2000 });
      expect(report.outcome).toBe('resumed');
      expect(report.tables.find((t) => t.name === 'notifications')!.inserted).toBe(ROWS - 31_500);
      expect(firstDifference(await readTable(to, 'notifications', 'notifications'), original)).toBeUndefined();
    }
  });

  it('refuses a source that was never migrated, an empty one, and a move onto itself', async () => {
    const target = `sqlite:${join(dir, 'unused', 'notifications.db')}`;
    const bare = await freshPostgres();
    await expect(moveModule({ module: 'notifications', from: bare, to: target })).rejects.toThrow(/never migrated there/);
    await expect(moveModule({ module: 'notifications', from: `sqlite:${join(dir, 'typo.db')}`, to: target })).rejects.toThrow(
      /No SQLite file at/,
    );

    const empty = join(dir, 'empty', 'notifications.db');
    const db = openSqliteDb('notifications', empty);
    await db.migrate(migrationsFolder('notifications', 'sqlite'));
    await db.close();
    await expect(moveModule({ module: 'notifications', from: `sqlite:${empty}`, to: target })).rejects.toThrow(
      /holds no notifications rows/,
    );
    const allowed = await moveModule({ module: 'notifications', from: `sqlite:${empty}`, to: target, allowEmpty: true });
    expect(allowed.tables[0]!.target.rows).toBe(0);

    await expect(moveModule({ module: 'notifications', from: monolith, to: monolith })).rejects.toBeInstanceOf(MoveError);
  });

  it('names an unreachable Postgres instead of failing somewhere inside the copy', async () => {
    const nowhere = 'postgres://postgres:secret@127.0.0.1:1/none';
    const move = moveModule({ module: 'notifications', from: monolith, to: nowhere });
    await expect(move).rejects.toThrow(/Cannot reach Postgres at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/none/);
  });
});

describe('a module whose tables number their rows (the outbox and inbox seq)', () => {
  it('lets the extracted service add rows after the ones copied', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carve-move-serial-'));
    const target = await createTestDatabase();
    try {
      const file = join(dir, 'notifications.db');
      await seedNotifications(file, 3);
      const sqlite = new Database(file);
      const insert = sqlite.prepare(
        "insert into carve_inbox (event_id, type, version, aggregate_id, payload, occurred_at, received_at, status, attempts, failures, next_attempt_at) values (?, 'orders.OrderPaid', 1, 'o', '{}', 0, 0, 'handled', 1, '[]', 0)",
      );
      for (const id of ['e1', 'e2', 'e3']) insert.run(id);
      sqlite.close();

      expect((await moveModule({ module: 'notifications', from: `sqlite:${file}`, to: target.url })).outcome).toBe('copied');

      const sql = postgres(target.url, { max: 1, onnotice: () => {} });
      try {
        const [row] = await sql<{ seq: string }[]>`
          insert into notifications.carve_inbox (event_id, type, version, aggregate_id, payload, occurred_at, received_at, status, attempts, failures, next_attempt_at)
          values ('e4', 'orders.OrderPaid', 1, 'o', '{}', 0, 0, 'pending', 0, '[]', 0) returning seq`;
        expect(Number(row!.seq)).toBe(4);
      } finally {
        await sql.end();
      }
    } finally {
      await target.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('moving values whose types differ between the dialects', () => {
  let dir: string;
  let database: TestDatabase;
  let from: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carve-move-values-'));
    database = await createTestDatabase();
    from = `sqlite:${join(dir, 'orders.db')}`;
    const db = openSqliteDb('orders', join(dir, 'orders.db'));
    await db.migrate(migrationsFolder('orders', 'sqlite'));
    await db.execute(`
      insert into orders values
        ('o-1', 'u-1', 'placed', 9007199254740993, 'EUR', null, 'h1', null, null, 1, 2),
        ('o-2', 'u-1', 'failed', -5, 'USD', '', 'h2', 'DECLINED', 'ünïcødé "quoted" \\ and
a newline', 9223372036854775807, -9223372036854775808);
      insert into order_items values ('o-1', 'p-2', 1, 100), ('o-1', 'p-1', 3, 2147483647), ('o-2', 'p-1', 1, -2147483648);`);
    await db.close();
  });
  afterAll(async () => {
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('carries nulls, empty text, bigints past 2^53 and composite keys both ways unchanged', async () => {
    const before = await readTable(from, 'orders', 'orders');
    const itemsBefore = await readTable(from, 'orders', 'order_items');

    await moveModule({ module: 'orders', from, to: database.url });
    const sql = postgres(database.url, { max: 1, onnotice: () => {} });
    const [big] = await sql`select total_cents, idempotency_key, failure_code from orders.orders where id = 'o-1'`;
    const [empty] = await sql`select idempotency_key, created_at from orders.orders where id = 'o-2'`;
    await sql.end();
    expect(big).toEqual({ total_cents: '9007199254740993', idempotency_key: null, failure_code: null });
    expect(empty).toEqual({ idempotency_key: '', created_at: '9223372036854775807' });

    const back = `sqlite:${join(dir, 'back', 'orders.db')}`;
    const report = await moveModule({ module: 'orders', from: database.url, to: back });
    // The module's outbox and inbox move with it: events still waiting go where the module goes.
    expect(report.tables.map((t) => [t.name, t.target.rows])).toEqual([
      ['carve_inbox', 0],
      ['carve_outbox', 0],
      ['carve_outbox_delivery', 0],
      ['order_items', 3],
      ['orders', 2],
    ]);
    expect(firstDifference(await readTable(back, 'orders', 'orders'), before)).toBeUndefined();
    expect(firstDifference(await readTable(back, 'orders', 'order_items'), itemsBefore)).toBeUndefined();
  });

  it('fails verification when a copied value changes under it, even with equal row counts', async () => {
    const file = join(dir, 'tampered', 'orders.db');
    let tampered = false;
    const progress: MoveProgress = {
      note() {},
      begin() {},
      advance(table) {
        if (tampered || table !== 'order_items') return;
        tampered = true;
        // Another process writing to the target mid-move: the very thing the checksums exist to catch.
        const other = new Database(file);
        other.prepare("update order_items set quantity = 99 where order_id = 'o-1' and product_id = 'p-1'").run();
        other.close();
      },
      end() {},
    };

    await expect(moveModule({ module: 'orders', from, to: `sqlite:${file}`, progress })).rejects.toThrow(
      /Verification failed for orders: order_items differ between source and target/,
    );
  });
});
