import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { PROJECT_ROOT } from '../../src/shared/project-root.js';

// The second baseline's storage: Carve's own four module databases, migrated from Carve's
// migrations (so the tables and indexes are the same), each with the statements one order
// runs in it, prepared once. Only the bench uses it.

// From the project root, so the baseline finds them bundled (dist/bench/) as from its source.
const MIGRATIONS = join(PROJECT_ROOT, 'migrations');

function open(dir: string, module: string) {
  const db = new Database(join(dir, `${module}.db`));
  db.pragma('busy_timeout = 5000');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  for (const m of readMigrationFiles({ migrationsFolder: join(MIGRATIONS, module, 'sqlite') })) {
    for (const statement of m.sql) if (statement.trim()) db.exec(statement);
  }
  return { db, tx: <T>(fn: () => T): T => db.transaction(fn).immediate() };
}

/** How many due deliveries the orders database's `due` statement reads at once. */
export const DELIVERY_BATCH = 200;

const OUTBOX_INSERT = 'insert into carve_outbox (id, type, version, aggregate_id, payload, occurred_at, traceparent) values (?, ?, 1, ?, ?, ?, null)';

/**
 * openModuleDbs creates and migrates orders, catalog, payments and notifications in `dir`
 * and prepares each statement the durable order flow runs.
 *
 * @example const dbs = openModuleDbs('/tmp/shop'); placeOrderDurably(dbs, userId, items, 'tok_visa')
 */
export function openModuleDbs(dir: string) {
  const orders = open(dir, 'orders');
  const catalog = open(dir, 'catalog');
  const payments = open(dir, 'payments');
  const notifications = open(dir, 'notifications');
  const o = orders.db;
  const c = catalog.db;
  const p = payments.db;
  const n = notifications.db;
  return {
    orders: {
      db: orders.db,
      tx: orders.tx,
      insert: o.prepare(
        'insert into orders (id, user_id, status, total_cents, currency, idempotency_key, request_hash, failure_code, failure_detail, created_at, updated_at) values (?, ?, ?, 0, ?, null, ?, null, null, ?, ?)',
      ),
      insertItem: o.prepare('insert into order_items (order_id, product_id, quantity, unit_price_cents) values (?, ?, ?, 0)'),
      priceItem: o.prepare('update order_items set unit_price_cents = ? where order_id = ? and product_id = ?'),
      total: o.prepare('update orders set total_cents = ?, updated_at = ? where id = ?'),
      settle: o.prepare("update orders set status = 'paid', failure_code = null, failure_detail = null, updated_at = ? where id = ? and status = 'pending' returning id"),
      publish: o.prepare(OUTBOX_INSERT),
      addDelivery: o.prepare("insert into carve_outbox_delivery (event_id, destination, status, attempts, failures, next_attempt_at, delivered_at) values (?, ?, 'pending', 0, '[]', 0, null)"),
      due: o.prepare(
        `select e.id, e.type, e.version, e.aggregate_id, e.payload, e.occurred_at, d.attempts from carve_outbox_delivery d join carve_outbox e on e.id = d.event_id where d.destination = ? and d.status = 'pending' and d.next_attempt_at <= ? order by e.seq limit ${DELIVERY_BATCH}`,
      ),
      delivered: o.prepare("update carve_outbox_delivery set status = 'delivered', attempts = ?, delivered_at = ? where event_id = ? and destination = ? and status = 'pending'"),
    },
    catalog: {
      db: catalog.db,
      tx: catalog.tx,
      insertProduct: c.prepare('insert into products (id, sku, name, price_cents, available, reserved, sold, created_at, updated_at) values (?, ?, ?, ?, ?, 0, 0, ?, ?)'),
      reservation: c.prepare<[string], { id: string; status: string }>('select id, status, total_cents, expires_at, created_at, updated_at from reservations where id = ?'),
      hold: c.prepare<unknown[], { price_cents: number }>(
        'update products set available = available - ?, reserved = reserved + ?, updated_at = ? where id = ? and available >= ? returning price_cents',
      ),
      insertReservation: c.prepare("insert into reservations (id, status, total_cents, expires_at, created_at, updated_at) values (?, 'held', ?, ?, ?, ?)"),
      insertReservationItem: c.prepare('insert into reservation_items (reservation_id, product_id, quantity, unit_price_cents) values (?, ?, ?, ?)'),
      reservationItems: c.prepare<[string], { product_id: string; quantity: number }>(
        'select reservation_id, product_id, quantity, unit_price_cents from reservation_items where reservation_id = ? order by product_id',
      ),
      commitReservation: c.prepare("update reservations set status = 'committed', updated_at = ? where id = ? and status = 'held' returning id"),
      sell: c.prepare('update products set reserved = reserved - ?, sold = sold + ?, updated_at = ? where id = ?'),
    },
    payments: {
      db: payments.db,
      tx: payments.tx,
      insert: p.prepare(
        "insert into payments (id, order_id, user_id, amount_cents, currency, status, processor_ref, failure_reason, payment_token, attempts, created_at, updated_at) values (?, ?, ?, ?, ?, 'pending', null, null, ?, 1, ?, ?) on conflict (order_id) do nothing returning *",
      ),
      settle: p.prepare("update payments set status = ?, processor_ref = ?, failure_reason = null, payment_token = null, updated_at = ? where id = ? and status = 'pending' returning *"),
      publish: p.prepare(OUTBOX_INSERT),
    },
    notifications: {
      db: notifications.db,
      tx: notifications.tx,
      receive: n.prepare(
        "insert into carve_inbox (event_id, type, version, aggregate_id, payload, occurred_at, received_at, status, attempts, failures, next_attempt_at, handled_at, traceparent) values (?, ?, ?, ?, ?, ?, ?, 'pending', 0, '[]', 0, null, null) on conflict (event_id) do nothing returning event_id",
      ),
      pending: n.prepare<[], { event_id: string; payload: string }>("select * from carve_inbox where status = 'pending' order by seq limit 200"),
      handled: n.prepare("update carve_inbox set status = 'handled', attempts = ?, handled_at = ? where event_id = ? and status = 'pending' returning event_id"),
      insert: n.prepare(
        'insert into notifications (id, user_id, kind, subject, body, dedupe_key, created_at) values (?, ?, ?, ?, ?, ?, ?) on conflict (dedupe_key) do nothing returning *',
      ),
    },
  };
}

export type ModuleDbs = ReturnType<typeof openModuleDbs>;
