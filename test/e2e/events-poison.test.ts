import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { pgTable, text as pgText } from 'drizzle-orm/pg-core';
import { sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { type Carve, createCarve } from '../../src/composition-root.js';
import { identityModule } from '../../src/modules/identity/identity.module.js';
import { loadConfig } from '../../src/shared/config/config.js';
import { defineContract, event, method } from '../../src/shared/contract/index.js';
import { pickTables } from '../../src/shared/db/module-db.js';
import { defineModule, handleEvent, provideImplementation } from '../../src/shared/di/define-module.js';
import { MODULE_DB, OUTBOX, portToken } from '../../src/shared/di/tokens.js';
import { eventTables } from '../../src/shared/events/event-tables.js';
import { createLogger } from '../../src/shared/log/logger.js';
import { sqliteMigrations } from '../support/module-migrations.js';
import { sleep } from '../support/order-load.js';

// A poison event: a subscriber whose handler always throws for one parcel. Two tiny
// modules defined here, hosted in this process on SQLite, with MAX_ATTEMPTS=3; the fix
// is a flag, and the resubmission is the real CLI in a child process.

const ROOT = join(import.meta.dirname, '..', '..');

const parcelsContract = defineContract({
  name: 'parcels',
  version: 1,
  errors: {},
  events: { ParcelSent: event({ version: 1, payload: z.object({ parcelId: z.string().min(1) }), aggregate: 'parcelId' }) },
  methods: { send: method({ input: z.object({ parcelId: z.string().min(1) }), output: z.object({ eventId: z.string() }) }) },
});
const trackingContract = defineContract({ name: 'tracking', version: 1, errors: {}, methods: {} });

/** What tracking's handler writes, once per event it handles, in the inbox's transaction. */
const { log } = pickTables('sqlite', {
  sqlite: { log: sqliteTable('tracking_log', { eventId: text('event_id').notNull(), parcelId: text('parcel_id').notNull() }) },
  postgres: { log: pgTable('tracking_log', { eventId: pgText('event_id').notNull(), parcelId: pgText('parcel_id').notNull() }) },
});
/** Parcels tracking fails on, until the test "fixes" the handler. */
const broken = new Set<string>();

function testModules(dir: string) {
  const parcels = defineModule({
    contract: parcelsContract,
    uses: [],
    migrations: () => sqliteMigrations(dir, 'parcels'),
    register(container) {
      provideImplementation(container, parcelsContract, (c) => ({
        send: async ({ parcelId }) => ({
          eventId: await c.resolve(MODULE_DB).tx((q) => c.resolve(OUTBOX).publish(q, parcelsContract.events.ParcelSent, { parcelId })),
        }),
      }));
    },
  });
  const tracking = defineModule({
    contract: trackingContract,
    uses: [],
    subscribes: [parcelsContract.events.ParcelSent],
    migrations: () => sqliteMigrations(dir, 'tracking', 'CREATE TABLE `tracking_log` (`event_id` text NOT NULL, `parcel_id` text NOT NULL);'),
    register(container) {
      provideImplementation(container, trackingContract, () => ({}));
      handleEvent(container, parcelsContract.events.ParcelSent, () => async ({ parcelId }, { q, event: sent }) => {
        if (broken.has(parcelId)) throw new Error(`tracking is down for ${parcelId}`);
        await q.insert(log).values({ eventId: sent.id, parcelId });
      });
    },
  });
  // identity too: every process needs the module that holds the key checking user tokens.
  return [identityModule, parcels, tracking];
}

/** carveCli runs `npm run carve -- <argv>` as an operator would, in a child process. */
function carveCli(argv: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['tsx', 'src/extracted/carve.ts', ...argv], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, out, err }));
  });
}

describe('a poison event: a handler that always throws for one aggregate', () => {
  let dir: string;
  let carve: Carve;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carve-poison-'));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, MAX_ATTEMPTS: '3', SEED_DEMO: 'false', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' });
    carve = createCarve(config, createLogger(config.LOG_LEVEL), {}, testModules(dir));
    await carve.start();
  });
  afterAll(async () => {
    await carve?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const trackingDb = () => carve.hosted.find((h) => h.module.name === 'tracking')!.db;
  const received = async (eventId: string) => {
    const { carveInbox: inbox } = eventTables('sqlite');
    const [row] = await trackingDb().read((q) => q.select().from(inbox).where(eq(inbox.eventId, eventId)));
    return row!;
  };
  const effects = async (eventId: string) => {
    const [row] = await trackingDb().read((q) => q.select({ n: count() }).from(log).where(eq(log.eventId, eventId)));
    return Number(row!.n);
  };

  it('dead-letters it with its error, handles later parcels meanwhile, and handles it once after events retry-all', { timeout: 60_000 }, async () => {
    const parcels = carve.container.resolve(portToken(parcelsContract));
    broken.add('parcel-poison');
    const poison = (await parcels.send({ parcelId: 'parcel-poison' })).eventId;
    const later: string[] = [];
    for (let i = 1; i <= 5; i++) later.push((await parcels.send({ parcelId: `parcel-${i}` })).eventId);

    await vi.waitFor(async () => expect((await received(poison)).status).toBe('dead'), { timeout: 15_000, interval: 50 });
    const dead = await received(poison);
    const failures = JSON.parse(dead.failures) as { at: number; error: string }[];
    expect(dead.attempts).toBe(3);
    expect(failures.map((f) => f.error)).toEqual(Array(3).fill('tracking is down for parcel-poison'));
    expect(await effects(poison)).toBe(0);
    for (const id of later) {
      await vi.waitFor(async () => expect((await received(id)).status).toBe('handled'), { timeout: 10_000, interval: 50 });
      expect(await effects(id)).toBe(1);
      // Handled while the poison was still being retried, not held back behind it.
      expect((await received(id)).handledAt!).toBeLessThan(failures.at(-1)!.at);
    }

    broken.delete('parcel-poison');
    const database = `sqlite:${join(dir, 'tracking.db')}`;
    const retried = await carveCli(['events', 'retry-all', '--module', 'tracking', '--database', database]);
    expect(retried.err).not.toMatch(/carve:/);
    expect(retried.out).toMatch(/tracking:\s+resubmitted 0 deliveries, 1 inbox entry/);
    expect(retried.code).toBe(0);
    await vi.waitFor(async () => expect((await received(poison)).status).toBe('handled'), { timeout: 10_000, interval: 50 });
    expect(await effects(poison)).toBe(1);
    const handled = await received(poison);

    const again = await carveCli(['events', 'retry-all', '--module', 'tracking', '--database', database]);
    expect(again.code).toBe(0);
    expect(again.out).toContain('No dead events: nothing to resubmit.');
    // Two idle rounds of the inbox: anything put back would have been handled again by now.
    await sleep(1_000);
    expect(await received(poison)).toEqual(handled);
    expect(await effects(poison)).toBe(1);
    for (const id of later) expect(await effects(id)).toBe(1);
  });
});
