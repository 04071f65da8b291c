import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Notified is what a deployment's files held when every paid order had its notification. */
export interface Notified {
  paid: number;
  notified: number;
}

const PAID = "select count(*) from orders where status = 'paid'";
const NOTIFIED = "select count(*) from notifications where kind = 'order_paid'";

/**
 * everyOrderNotified waits until every paid order in a deployment's SQLite files has its
 * order_paid notification, and throws if that has not happened within `withinMs`. A flow
 * whose notifications fall behind under load does less work an order than it seems to,
 * so its orders/s would flatter it: a scratch version of the stepwise hand-wired flow
 * ended a run with 24,714 of 43,381 deliveries still pending. Answers undefined for a
 * deployment with no such files (Postgres, the echo server).
 *
 * @example const counts = await everyOrderNotified(topology.dataDir)
 */
export async function everyOrderNotified(dataDir: string, withinMs = 30_000): Promise<Notified | undefined> {
  const oneFile = join(dataDir, 'shop.db');
  const files = existsSync(oneFile) ? [oneFile, oneFile] : [join(dataDir, 'orders.db'), join(dataDir, 'notifications.db')];
  if (!files.every((f) => existsSync(f))) return undefined;
  const [orders, notifications] = files.map((f) => new Database(f, { readonly: true, fileMustExist: true }));
  try {
    const count = (db: Database.Database, sql: string) => db.prepare(sql).pluck().get() as number;
    const giveUpAt = Date.now() + withinMs;
    for (;;) {
      const paid = count(orders!, PAID);
      const notified = count(notifications!, NOTIFIED);
      if (notified >= paid) return { paid, notified };
      if (Date.now() > giveUpAt) {
        throw new Error(`${dataDir}: ${paid - notified} of ${paid} paid orders still had no notification ${withinMs} ms after the load`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    orders!.close();
    notifications!.close();
  }
}
