import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { everyOrderNotified } from '../../bench/support/notified.js';

// The bench's check that a flow kept up with its notifications, run against files laid
// out as Carve's module databases and as the lean hand-wired flow's one file.
describe('everyOrderNotified', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'carve-notified-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const open = (file: string) => {
    const db = new Database(join(dir, file));
    db.exec('create table if not exists orders (id text primary key, status text not null)');
    db.exec('create table if not exists notifications (id text primary key, kind text not null)');
    return db;
  };
  const paid = (db: Database.Database, ...ids: string[]) => {
    for (const id of ids) db.prepare("insert into orders values (?, 'paid')").run(id);
  };
  const notify = (db: Database.Database, ...ids: string[]) => {
    for (const id of ids) db.prepare("insert into notifications values (?, 'order_paid')").run(id);
  };

  it('fails a run whose paid orders are not all notified in time, saying how many are missing', async () => {
    const orders = open('orders.db');
    const notifications = open('notifications.db');
    paid(orders, 'o1', 'o2', 'o3');
    notify(notifications, 'o1');
    // A welcome notice is not an order's.
    notifications.prepare("insert into notifications values ('w1', 'welcome')").run();
    await expect(everyOrderNotified(dir, 300)).rejects.toThrow('2 of 3 paid orders still had no notification');
  });

  it('waits for notifications still arriving', async () => {
    const orders = open('orders.db');
    const notifications = open('notifications.db');
    paid(orders, 'o1', 'o2');
    orders.prepare("insert into orders values ('o3', 'pending')").run();
    notify(notifications, 'o1');
    setTimeout(() => notify(notifications, 'o2'), 250);
    await expect(everyOrderNotified(dir, 5_000)).resolves.toEqual({ paid: 2, notified: 2 });
  });

  it("reads the lean flow's one file", async () => {
    const shop = open('shop.db');
    paid(shop, 'o1');
    notify(shop, 'o1');
    await expect(everyOrderNotified(dir, 300)).resolves.toEqual({ paid: 1, notified: 1 });
    paid(shop, 'o2');
    await expect(everyOrderNotified(dir, 300)).rejects.toThrow('1 of 2 paid orders');
  });

  it('has nothing to check where there are no such files', async () => {
    await expect(everyOrderNotified(dir, 300)).resolves.toBeUndefined();
  });
});
