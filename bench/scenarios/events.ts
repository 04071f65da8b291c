import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Figure, Scenario } from '../scenario.js';
import { placeOrder, prepareShop } from '../support/shop.js';
import { percentile } from '../support/stats.js';
import { type CarveOptions, startCarve } from '../support/topology.js';

// Publish-to-handle latency of orders.OrderPaid: from the event's occurred_at in orders'
// outbox to the order_paid notification's created_at in notifications' own database.

const TRANSPORTS: { name: string; opts: CarveOptions }[] = [
  { name: 'in-process (monolith, SQLite)', opts: {} },
  { name: 'HTTP push (notifications extracted)', opts: { extracted: ['notifications'] } },
  { name: 'NATS JetStream (notifications extracted)', opts: { extracted: ['notifications'], broker: true } },
];

const WARM_UP = 5;

/** latencies reads, for each order, notification created_at minus OrderPaid occurred_at, waiting for stragglers. */
async function latencies(dataDir: string, orderIds: string[]): Promise<number[]> {
  const orders = new Database(join(dataDir, 'orders.db'), { readonly: true, fileMustExist: true });
  const notifications = new Database(join(dataDir, 'notifications.db'), { readonly: true, fileMustExist: true });
  try {
    const paidAt = orders.prepare<[string], { at: number }>("select occurred_at as at from carve_outbox where type = 'orders.OrderPaid' and aggregate_id = ?");
    const notifiedAt = notifications.prepare<[string], { at: number }>('select created_at as at from notifications where dedupe_key = ?');
    const deadline = Date.now() + 30_000;
    const result: number[] = [];
    for (const id of orderIds) {
      let row = notifiedAt.get(`order_paid:${id}`);
      while (!row && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        row = notifiedAt.get(`order_paid:${id}`);
      }
      const paid = paidAt.get(id);
      if (!row || !paid) throw new Error(`order ${id}: no ${paid ? 'order_paid notification' : 'OrderPaid event'} within 30 s`);
      result.push(row.at - paid.at);
    }
    return result;
  } finally {
    orders.close();
    notifications.close();
  }
}

const run: Scenario = async ({ quick, workDir, log }) => {
  const count = quick ? 20 : 200;
  const figures: Figure[] = [];
  for (const { name, opts } of TRANSPORTS) {
    log(`events: ${name}, ${count} orders one at a time`);
    const t = await startCarve(workDir, opts);
    try {
      const shop = await prepareShop(t.url);
      const ids: string[] = [];
      for (let i = 0; i < WARM_UP + count; i++) ids.push(await placeOrder(t.url, shop));
      const ms = await latencies(t.dataDir, ids.slice(WARM_UP));
      figures.push({
        name: `${name}: OrderPaid published → order_paid notification written`,
        median: percentile(ms, 50),
        min: Math.min(...ms),
        max: Math.max(...ms),
        unit: 'ms',
        extra: { p50: percentile(ms, 50), p90: percentile(ms, 90), p99: percentile(ms, 99), orders: ms.length },
      });
    } finally {
      await t.stop();
    }
  }
  return {
    title: 'Events: publish-to-handle latency by transport',
    figures,
    notes: [
      `${count} orders placed one at a time after ${WARM_UP} warm-up orders; median is the p50 of those orders, min and max their extremes.`,
      'Times are the two rows\' millisecond timestamps (outbox occurred_at, notification created_at), on one machine and clock, so the resolution is 1 ms.',
      'HTTP push and NATS run notifications as its own service (SQLite) beside the monolith; NATS is a private nats-server with JetStream.',
    ],
  };
};

export default run;
