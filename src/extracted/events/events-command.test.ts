import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDialect } from '../../../test/support/dialects.js';
import { type TestDatabase, createTestDatabase } from '../../../test/support/postgres.js';
import { PLACEABLE_MODULES } from '../../shared/config/config.js';
import type { ModuleDb } from '../../shared/db/module-db.js';
import { migrationsFolder, openDatabaseUrl } from '../../shared/db/open-module-db.js';
import { eventTables } from '../../shared/events/event-tables.js';
import { runEvents } from './events-command.js';

const ROOT = join(import.meta.dirname, '../../..');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

// Fixed ids, so a failing assertion names the event it is about.
const DEAD_DELIVERY = '0190f000-0000-7000-8000-00000000d001';
const DEAD_IN_INBOX = '0190f000-0000-7000-8000-00000000d002';
const HANDLED = '0190f000-0000-7000-8000-00000000d003';
const BACKING_OFF = '0190f000-0000-7000-8000-00000000d004';
const UNKNOWN = '0190f000-0000-7000-8000-0000000000ff';

interface Ran {
  code: number;
  out: string;
  err: string;
}

/** run calls the command in-process, as `npm run carve -- events ...` would, on a stdout that is not a terminal. */
async function run(argv: string[], env: Record<string, string>): Promise<Ran> {
  let out = '';
  let err = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        append(String(chunk));
        done();
      },
    });
  const code = await runEvents({
    argv,
    env,
    stdout: sink((s) => (out += s)),
    stderr: sink((s) => (err += s)),
    modules: PLACEABLE_MODULES,
  });
  return { code, out, err };
}

/** runCli runs the real entry point in a child process: `npm run carve -- events ...`. */
function runCli(argv: string[], env: Record<string, string>): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/extracted/carve.ts', 'events', ...argv], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/**
 * seed empties every module's event tables and leaves one of each case: orders could not
 * deliver an event to notifications (dead), delivered another that notifications could not
 * handle (dead in its inbox), notifications handled a third, and catalog waits to retry a fourth.
 */
async function seed(dbs: Map<string, ModuleDb>): Promise<void> {
  const now = Date.now();
  for (const db of dbs.values()) {
    const t = eventTables(db.dialect);
    await db.tx(async (q) => {
      await q.delete(t.carveOutboxDelivery);
      await q.delete(t.carveOutbox);
      await q.delete(t.carveInbox);
    });
  }
  const event = (id: string, type: string, aggregateId: string, occurredAt: number) => ({ id, type, version: 1, aggregateId, payload: '{}', occurredAt });
  const failures = (...errors: string[]) => JSON.stringify(errors.map((error, i) => ({ at: now - HOUR + i, error })));

  const orders = dbs.get('orders')!;
  const o = eventTables(orders.dialect);
  await orders.tx(async (q) => {
    await q.insert(o.carveOutbox).values([event(DEAD_DELIVERY, 'orders.OrderPaid', 'ord-1', now - 2 * HOUR), event(DEAD_IN_INBOX, 'orders.OrderPaid', 'ord-2', now - HOUR)]);
    await q.insert(o.carveOutboxDelivery).values([
      {
        eventId: DEAD_DELIVERY,
        destination: 'notifications',
        status: 'dead',
        attempts: 10,
        failures: failures('refused by notifications: first try', 'refused by notifications: orders.OrderPaid payload is invalid at orderId'),
        nextAttemptAt: now + HOUR,
      },
      { eventId: DEAD_IN_INBOX, destination: 'notifications', status: 'delivered', attempts: 1, failures: '[]', nextAttemptAt: 0, deliveredAt: now - HOUR },
    ]);
  });

  const notifications = dbs.get('notifications')!;
  const n = eventTables(notifications.dialect);
  const received = { version: 1, payload: '{}', receivedAt: now - HOUR, nextAttemptAt: 0 };
  await notifications.tx((q) =>
    q.insert(n.carveInbox).values([
      { ...received, eventId: DEAD_IN_INBOX, type: 'orders.OrderPaid', aggregateId: 'ord-2', occurredAt: now - HOUR, status: 'dead', attempts: 10, failures: failures('mail server down') },
      { ...received, eventId: HANDLED, type: 'orders.OrderPaid', aggregateId: 'ord-3', occurredAt: now - 30 * MINUTE, status: 'handled', attempts: 1, failures: '[]', handledAt: now - 30 * MINUTE },
    ]),
  );

  const catalog = dbs.get('catalog')!;
  const c = eventTables(catalog.dialect);
  await catalog.tx(async (q) => {
    await q.insert(c.carveOutbox).values(event(BACKING_OFF, 'catalog.StockChanged', 'prod-1', now - 5 * MINUTE));
    await q.insert(c.carveOutboxDelivery).values({
      eventId: BACKING_OFF,
      destination: 'orders',
      status: 'pending',
      attempts: 2,
      failures: failures('orders unreachable: connect ECONNREFUSED'),
      nextAttemptAt: now + 10 * MINUTE,
    });
  });
}

describe.each(DIALECTS)('npm run carve -- events, on %s', (dialect: TestDialect) => {
  const dbs = new Map<string, ModuleDb>();
  let env: Record<string, string>;
  let url: (module: string) => string;
  let dir: string;
  let postgres: TestDatabase | undefined;

  const delivery = async (module: string, eventId: string) => {
    const db = dbs.get(module)!;
    const t = eventTables(db.dialect);
    const [row] = await db.read((q) => q.select().from(t.carveOutboxDelivery).where(eq(t.carveOutboxDelivery.eventId, eventId)));
    return row!;
  };
  const inboxEntry = async (module: string, eventId: string) => {
    const db = dbs.get(module)!;
    const t = eventTables(db.dialect);
    const [row] = await db.read((q) => q.select().from(t.carveInbox).where(eq(t.carveInbox.eventId, eventId)));
    return row!;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carve-events-'));
    if (dialect === 'sqlite') {
      env = { DATA_DIR: dir };
      url = (m) => `sqlite:${join(dir, `${m}.db`)}`;
    } else {
      postgres = await createTestDatabase();
      env = { DATABASE_URL: postgres.url };
      url = () => postgres!.url;
    }
    for (const module of PLACEABLE_MODULES) {
      const db = openDatabaseUrl(module, url(module), 1);
      await db.migrate(migrationsFolder(module, dialect));
      dbs.set(module, db);
    }
  });
  beforeEach(() => seed(dbs));
  afterAll(async () => {
    await Promise.all([...dbs.values()].map((db) => db.close()));
    await postgres?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists what needs attention, oldest first, with the last error, and counts every module by status', async () => {
    const { code, out, err } = await run(['list'], env);

    expect(err).toBe('');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^MODULE\s+STAGE\s+EVENT\s+TYPE\s+AGGREGATE\s+STATUS\s+ATTEMPTS\s+AGE\s+LAST ERROR$/);
    expect(lines[1]).toMatch(
      new RegExp(`^orders\\s+deliver to notifications\\s+${DEAD_DELIVERY}\\s+orders.OrderPaid\\s+ord-1\\s+dead\\s+10\\s+2h\\s+refused by notifications: orders.OrderPaid payload is invalid at orderId$`),
    );
    expect(lines[2]).toMatch(new RegExp(`^notifications\\s+handle\\s+${DEAD_IN_INBOX}\\s+orders.OrderPaid\\s+ord-2\\s+dead\\s+10\\s+1h\\s+mail server down$`));
    expect(lines[3]).toMatch(new RegExp(`^catalog\\s+deliver to orders\\s+${BACKING_OFF}\\s+catalog.StockChanged\\s+prod-1\\s+pending \\(retry in \\d+m\\)\\s+2\\s+5m\\s+orders unreachable`));
    expect(out).toContain('3 pending or dead entries.');
    expect(out).not.toContain(HANDLED);
    expect(out).toMatch(/By module and status:\n\s+module\s+pending\s+dead\s+delivered\s+handled\n/);
    expect(out).toMatch(/\n\s+orders\s+0\s+1\s+1\s+0\n/);
    expect(out).toMatch(/\n\s+notifications\s+0\s+1\s+0\s+1\n/);
    expect(out).toMatch(/\n\s+catalog\s+1\s+0\s+0\s+0\n/);
    // Not a terminal: no colour codes in a pipe or a log.
    expect(out).not.toContain('\x1b[');
  });

  it('lists one module and status as JSON, with each entry\'s whole error history', async () => {
    const { code, out } = await run(['list', '--module', 'orders,notifications', '--status', 'dead', '--json', '--limit', '1'], env);

    expect(code).toBe(0);
    const listing = JSON.parse(out);
    expect(listing.matching).toBe(2);
    expect(listing.entries).toHaveLength(1);
    // The most recent of the two.
    expect(listing.entries[0]).toMatchObject({ module: 'notifications', stage: 'handle', destination: null, eventId: DEAD_IN_INBOX, status: 'dead', attempts: 10 });
    expect(listing.counts.map((c: { module: string }) => c.module)).toEqual(['notifications', 'orders']);

    const all = JSON.parse((await run(['list', '--module', 'orders', '--status', 'all', '--json'], env)).out);
    const dead = all.entries.find((e: { eventId: string }) => e.eventId === DEAD_DELIVERY);
    expect(dead.failures.map((f: { error: string }) => f.error)).toEqual([
      'refused by notifications: first try',
      'refused by notifications: orders.OrderPaid payload is invalid at orderId',
    ]);
    expect(all.entries.map((e: { status: string }) => e.status).sort()).toEqual(['dead', 'delivered']);
  });

  it('resubmits a dead inbox entry without touching the delivery that already reached it', async () => {
    const before = await inboxEntry('notifications', DEAD_IN_INBOX);

    const { code, out, err } = await run(['retry', DEAD_IN_INBOX], env);

    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`orders\\s+deliver to notifications\\s+${DEAD_IN_INBOX}\\s+orders.OrderPaid\\s+delivered: already delivered; nothing to do`));
    expect(out).toMatch(new RegExp(`notifications\\s+handle\\s+${DEAD_IN_INBOX}\\s+orders.OrderPaid\\s+dead after 10 attempts: resubmitted`));
    expect(out).toContain('Resubmitted 1; a running process delivers them within a second');
    expect(await inboxEntry('notifications', DEAD_IN_INBOX)).toEqual({ ...before, status: 'pending', attempts: 0, nextAttemptAt: 0 });
    expect(await delivery('orders', DEAD_IN_INBOX)).toMatchObject({ status: 'delivered', attempts: 1 });
  });

  it('leaves a handled event alone, saying there is nothing to do', async () => {
    const before = await inboxEntry('notifications', HANDLED);

    const { code, out } = await run(['retry', HANDLED], env);

    expect(code).toBe(0);
    expect(out).toMatch(/handled: already handled; nothing to do/);
    expect(out).toContain('Nothing resubmitted');
    expect(await inboxEntry('notifications', HANDLED)).toEqual(before);
  });

  it('retries a delivery that is backing off now rather than when its wait ends', async () => {
    const { code } = await run(['retry', BACKING_OFF, '--module', 'catalog'], env);

    expect(code).toBe(0);
    expect(await delivery('catalog', BACKING_OFF)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: 0 });
  });

  it('resubmits every dead row with retry-all, per module, and leaves the rest as they were', async () => {
    const waiting = await delivery('catalog', BACKING_OFF);

    const { code, out } = await run(['retry-all'], env);

    expect(code).toBe(0);
    expect(out).toMatch(/orders:\s+resubmitted 1 delivery, 0 inbox entries/);
    expect(out).toMatch(/notifications:\s+resubmitted 0 deliveries, 1 inbox entry/);
    expect(out).toMatch(/catalog:\s+nothing dead/);
    expect(out).toContain('Resubmitted 2; a running process delivers them within a second');
    const dead = await delivery('orders', DEAD_DELIVERY);
    expect(dead).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: 0 });
    expect(JSON.parse(dead.failures)).toHaveLength(2);
    expect(await inboxEntry('notifications', DEAD_IN_INBOX)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(await delivery('catalog', BACKING_OFF)).toEqual(waiting);
    expect(await inboxEntry('notifications', HANDLED)).toMatchObject({ status: 'handled', attempts: 1 });

    expect((await run(['retry-all', '--module', 'orders'], env)).out).toContain('No dead events: nothing to resubmit.');
  });

  it('reads an extracted module at --database, without the monolith\'s environment', async () => {
    const { code, out } = await run(['list', '--module', 'orders', '--database', url('orders')], {});

    expect(code).toBe(0);
    expect(out).toContain(DEAD_DELIVERY);
    expect(out).not.toContain(DEAD_IN_INBOX);
    expect(out).toMatch(/By module and status:\n\s+module\s.*\n\s+orders\s+0\s+1\s+1\s+0\n$/);
  });

  it('as the real CLI: resubmits the known id, exits 1 for the unknown one, and touches no handled row', async () => {
    const handled = await inboxEntry('notifications', HANDLED);

    const { code, out, err } = await runCli(['retry', DEAD_DELIVERY, UNKNOWN, HANDLED], env);

    expect(code).toBe(1);
    expect(out).toMatch(new RegExp(`orders\\s+deliver to notifications\\s+${DEAD_DELIVERY}\\s+orders.OrderPaid\\s+dead after 10 attempts: resubmitted`));
    expect(out).toContain('already handled; nothing to do');
    expect(out).toContain('Resubmitted 1; a running process delivers them within a second');
    expect(err.trim()).toBe(
      `carve: no event ${UNKNOWN} in the outbox or inbox of identity, catalog, payments, notifications, orders: check the id (events list shows them), or --module / --database.`,
    );
    expect(await delivery('orders', DEAD_DELIVERY)).toMatchObject({ status: 'pending', attempts: 0, nextAttemptAt: 0 });
    expect(await inboxEntry('notifications', HANDLED)).toEqual(handled);
  });
});

describe('npm run carve -- events, given bad input or a database it cannot read', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'carve-events-bad-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const exitsTwo = async (argv: string[], env: Record<string, string>, message: RegExp) => {
    const { code, out, err } = await run(argv, env);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(message);
    // One line, and no stack trace.
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).not.toMatch(/\n\s+at /);
  };

  it('refuses a bad option, an unknown module or status, and --database without one --module', async () => {
    await exitsTwo(['list', '--colour'], { DATA_DIR: dir }, /^carve: Unknown option '--colour'/);
    await exitsTwo(['list', '--module', 'shipping'], { DATA_DIR: dir }, /Unknown module "shipping": expected one of identity, catalog/);
    await exitsTwo(['list', '--status', 'failed'], { DATA_DIR: dir }, /Unknown status "failed"/);
    await exitsTwo(['retry'], { DATA_DIR: dir }, /Missing event id/);
    await exitsTwo(['retry-all', '--limit', '5'], { DATA_DIR: dir }, /--limit applies to events list only/);
    await exitsTwo(['list', '--database', `sqlite:${join(dir, 'x.db')}`], {}, /--database is one module's own database/);
    await exitsTwo(['list'], { DATA_DIR: dir, PORT: 'eighty' }, /Invalid configuration: PORT:/);
  });

  it('says where a database is missing, and does not create it', async () => {
    await exitsTwo(['list', '--module', 'orders'], { DATA_DIR: dir }, /the orders database .*orders\.db does not exist: check DATA_DIR or --database/);
    expect(existsSync(join(dir, 'orders.db'))).toBe(false);
  });

  it('says a database without the event tables must be migrated first, and does not migrate it', async () => {
    const file = join(dir, 'catalog.db');
    new Database(file).close();

    await exitsTwo(['list', '--module', 'catalog'], { DATA_DIR: dir }, /the catalog database .* has no event tables yet: start the app \(or the module's service\) once so it migrates/);
    await exitsTwo(['retry-all', '--module', 'catalog', '--database', `sqlite:${file}`], {}, /has no event tables yet/);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("select count(*) as n from sqlite_master where type = 'table'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('says the same of a Postgres database where the module was never migrated', async () => {
    const empty = await createTestDatabase();
    try {
      await exitsTwo(['list', '--module', 'identity', '--database', empty.url], {}, /the identity database .* \(schema identity\) has no event tables yet/);
    } finally {
      await empty.drop();
    }
  });

  it('names an unreachable Postgres', async () => {
    await exitsTwo(
      ['list', '--module', 'payments', '--database', 'postgres://carve:secret@127.0.0.1:1/shop'],
      {},
      /cannot read the payments database postgres:\/\/carve:\*\*\*@127\.0\.0\.1:1\/shop \(schema payments\): .*ECONNREFUSED/,
    );
  });
});
