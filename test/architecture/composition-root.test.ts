import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DependencyContainer } from 'tsyringe';
import { ALL_MODULES, buildContainer, createCarve } from '../../src/composition-root.js';
import { notificationsModule } from '../../src/modules/notifications/notifications.module.js';
import { ordersTables } from '../../src/modules/orders/orders.tables.js';
import { loadConfig } from '../../src/shared/config/config.js';
import { CONFIG, IMPLEMENTATION, LIFECYCLE, LOGGER, ROUTES, TOKEN_VERIFIER, portToken } from '../../src/shared/di/tokens.js';
import { createLogger } from '../../src/shared/log/logger.js';
import { DIALECTS, type InProcessCarve, startCarve } from '../support/carve-harness.js';

const quiet = createLogger('silent');

describe('the composition root', () => {
  it('resolves every token of every module and every port', () => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: mkdtempSync(join(tmpdir(), 'carve-di-')) });
    const { container, hosted } = buildContainer(config, quiet);
    expect(container.resolve(CONFIG)).toBe(config);
    expect(container.resolve(LOGGER)).toBe(quiet);
    expect(container.resolve(TOKEN_VERIFIER).verify).toBeTypeOf('function');
    for (const module of ALL_MODULES) {
      const port = container.resolve(portToken(module.contract)) as Record<string, unknown>;
      expect(Object.keys(port).sort()).toEqual(Object.keys(module.contract.methods).sort());
    }
    for (const { container: c, module } of hosted) {
      expect(c.resolve(IMPLEMENTATION), module.name).toBeDefined();
      if (c.isRegistered(ROUTES)) expect(c.resolve(ROUTES).fetch).toBeTypeOf('function');
      if (c.isRegistered(LIFECYCLE)) expect(c.resolve(LIFECYCLE)).toBeTypeOf('object');
    }
    expect(hosted.filter((h) => h.container.isRegistered(ROUTES)).map((h) => h.module.name).sort()).toEqual(
      ['catalog', 'identity', 'notifications', 'orders', 'payments'],
    );
  });

  it('refuses to build a process whose module calls a module placed nowhere, naming the variable to set', () => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: mkdtempSync(join(tmpdir(), 'carve-di-')) });
    expect(() => buildContainer(config, quiet, undefined, { host: ['identity', 'catalog', 'orders'] })).toThrow(
      /orders calls payments, which does not run in this process: set PAYMENTS_URL/,
    );
  });

  it('refuses to host a publisher whose subscriber it cannot reach, unless a broker carries events', () => {
    const env = { NODE_ENV: 'test', DATA_DIR: mkdtempSync(join(tmpdir(), 'carve-di-')), SERVICE_SECRET: 's'.repeat(32) };
    const identityAlone = { host: ['identity'] };
    expect(() => buildContainer(loadConfig(env), quiet, undefined, identityAlone)).toThrow(
      /identity publishes UserRegistered, which notifications handles in another process: set NOTIFICATIONS_URL .* or EVENTS_URL/,
    );
    expect(() => buildContainer(loadConfig({ ...env, NOTIFICATIONS_URL: 'http://127.0.0.1:1' }), quiet, undefined, identityAlone)).not.toThrow();
    expect(() => buildContainer(loadConfig({ ...env, EVENTS_URL: 'nats://127.0.0.1:4222' }), quiet, undefined, identityAlone)).not.toThrow();
  });

  it('refuses a module whose event handlers and declared subscriptions disagree', () => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: mkdtempSync(join(tmpdir(), 'carve-di-')) });
    const deaf = { ...notificationsModule, register: (c: DependencyContainer) => notificationsModule.register(c), subscribes: [] };
    const modules = ALL_MODULES.map((m) => (m.name === 'notifications' ? deaf : m));
    expect(() => createCarve(config, quiet, {}, modules)).toThrow(/notifications handles identity.UserRegistered but does not list it in subscribes/);
  });

  it('keeps each module’s internals out of the root container', () => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: mkdtempSync(join(tmpdir(), 'carve-di-')) });
    const { container } = buildContainer(config, quiet);
    expect(container.isRegistered(IMPLEMENTATION)).toBe(false);
    expect(container.isRegistered(ROUTES)).toBe(false);
  });
});

describe.each(DIALECTS)('data ownership on %s', (dialect) => {
  let t: InProcessCarve;
  beforeAll(async () => {
    t = await startCarve(dialect);
  });
  afterAll(() => t?.stop());

  it("gives each module its own database handle, which cannot read another module's tables", async () => {
    const dbs = t.carve.hosted.map((h) => h.db);
    expect(new Set(dbs.map((db) => db.location)).size).toBe(ALL_MODULES.length);
    const catalogDb = t.carve.hosted.find((h) => h.module.name === 'catalog')!.db;
    const ordersDb = t.carve.hosted.find((h) => h.module.name === 'orders')!.db;
    const { orders } = ordersTables(dialect);
    await expect(ordersDb.read((q) => q.select().from(orders))).resolves.toBeInstanceOf(Array);
    const err = await catalogDb.read((q) => q.select().from(orders)).catch((e: Error) => e);
    // drizzle wraps the driver's error; the reason is in the cause.
    expect(String((err as Error).cause ?? err)).toMatch(/no such table: orders|relation "orders" does not exist/);
  });

  it('refuses even a qualified query into another module\'s tables', async () => {
    const catalogDb = t.carve.hosted.find((h) => h.module.name === 'catalog')!.db;
    const ordersDb = t.carve.hosted.find((h) => h.module.name === 'orders')!.db;
    // SQLite: each module is its own file, so there is nothing to qualify with.
    // Postgres: catalog's queries run as a role with rights on catalog's schema only.
    const foreign = dialect === 'postgres' ? 'select * from orders.orders' : 'select * from main.orders';
    await expect(catalogDb.execute(foreign)).rejects.toThrow(/permission denied for schema orders|no such table: main.orders/);
    await expect(ordersDb.execute(dialect === 'postgres' ? 'select * from orders.orders' : 'select * from orders')).resolves.toBeUndefined();
    if (dialect === 'postgres') expect(catalogDb.location).toMatch(/schema catalog \(as role carve_catalog\)/);
  });
});
