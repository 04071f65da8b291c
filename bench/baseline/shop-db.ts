import Database from 'better-sqlite3';

// The storefront's tables, cut down to what one order writes, in one SQLite file with
// the pragmas Carve's module databases use. No outbox, no inbox: the notification is
// written straight after the order is paid.
const SCHEMA = `
create table if not exists products (id text primary key, price_cents integer not null, available integer not null, reserved integer not null, sold integer not null, updated_at integer not null);
create table if not exists reservations (id text primary key, status text not null, total_cents integer not null, expires_at integer not null, created_at integer not null, updated_at integer not null);
create table if not exists reservation_items (reservation_id text not null, product_id text not null, quantity integer not null, unit_price_cents integer not null, primary key (reservation_id, product_id));
create table if not exists orders (id text primary key, user_id text not null, status text not null, total_cents integer not null, currency text not null, created_at integer not null, updated_at integer not null);
create table if not exists order_items (order_id text not null, product_id text not null, quantity integer not null, unit_price_cents integer not null, primary key (order_id, product_id));
create table if not exists payments (id text primary key, order_id text not null unique, user_id text not null, amount_cents integer not null, currency text not null, status text not null, processor_ref text, created_at integer not null, updated_at integer not null);
create table if not exists notifications (id text primary key, user_id text not null, kind text not null, subject text not null, body text not null, dedupe_key text not null unique, created_at integer not null);
`;

/**
 * openShopDb opens (and creates) the hand-wired shop's database with its prepared statements.
 *
 * @example const db = openShopDb('/tmp/shop.db'); db.insertOrder.run(...)
 */
export function openShopDb(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return {
    tx: <T>(fn: () => T): T => db.transaction(fn).immediate(),
    insertProduct: db.prepare('insert into products values (?, ?, ?, 0, 0, ?)'),
    product: db.prepare<[string], { price_cents: number; available: number }>('select price_cents, available from products where id = ?'),
    reserveStock: db.prepare('update products set available = available - ?, reserved = reserved + ?, updated_at = ? where id = ?'),
    commitStock: db.prepare('update products set reserved = reserved - ?, sold = sold + ?, updated_at = ? where id = ?'),
    insertReservation: db.prepare('insert into reservations values (?, ?, ?, ?, ?, ?)'),
    insertReservationItem: db.prepare('insert into reservation_items values (?, ?, ?, ?)'),
    setReservation: db.prepare('update reservations set status = ?, updated_at = ? where id = ?'),
    insertOrder: db.prepare('insert into orders values (?, ?, ?, ?, ?, ?, ?)'),
    insertOrderItem: db.prepare('insert into order_items values (?, ?, ?, ?)'),
    setOrder: db.prepare('update orders set status = ?, total_cents = ?, updated_at = ? where id = ?'),
    insertPayment: db.prepare('insert into payments values (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    setPayment: db.prepare('update payments set status = ?, processor_ref = ?, updated_at = ? where id = ?'),
    insertNotification: db.prepare('insert into notifications values (?, ?, ?, ?, ?, ?, ?)'),
  };
}

export type ShopDb = ReturnType<typeof openShopDb>;
