import { eq } from 'drizzle-orm';
import { newId } from '../../src/shared/db/new-id.js';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { notificationsTables } from '../../src/modules/notifications/notifications.tables.js';
import { defineContract, event } from '../../src/shared/contract/index.js';
import type { Queryable } from '../../src/shared/db/module-db.js';
import { type EventHub, createEventHub } from '../../src/shared/events/event-hub.js';
import { eventTables } from '../../src/shared/events/event-tables.js';
import { receiveEvents } from '../../src/shared/events/inbox.js';
import { createOutbox } from '../../src/shared/events/outbox.js';
import { EVENT_RETENTION_MS, pruneEvents } from '../../src/shared/events/retention.js';
import type { Subscription } from '../../src/shared/events/subscriptions.js';
import { createLogger } from '../../src/shared/log/logger.js';
import { httpEventTransport } from '../../src/shared/remote/event-push.js';
import { RemoteEndpoint } from '../../src/shared/remote/remote-endpoint.js';
import { serviceTokens } from '../../src/shared/remote/service-token.js';
import { DIALECTS } from '../support/dialects.js';
import { type ModuleStorage, openModuleStorage } from '../support/module-storage.js';

// A publisher and a subscriber of the kernel alone: 'ledger' posts entries to accounts,
// 'audit' records each one. audit's effect is a row in the notifications table of the
// database it is given, with no dedupe of its own, so a duplicate effect would show.
const ledger = defineContract({
  name: 'ledger',
  version: 1,
  errors: {},
  methods: {},
  events: { Posted: event({ version: 1, payload: z.object({ account: z.string(), n: z.number().int() }), aggregate: 'account' }) },
});
const Posted = ledger.events.Posted;
const MAX_ATTEMPTS = 3;
const silent = createLogger('silent');

describe.each(DIALECTS)('outbox and inbox on %s', (dialect) => {
  let publisher: ModuleStorage;
  let subscriber: ModuleStorage;
  let hub: EventHub;
  /** Accounts whose entries audit's handler refuses to record, and how often it refused. */
  const failing = new Map<string, number>();
  let failUntil = 0;

  const outbox = () => createOutbox(publisher.db, (type) => (type === Posted.type ? ['audit'] : []));
  const post = (account: string, n: number) => publisher.db.tx((q) => outbox().publish(q, Posted, { account, n }));
  const recorded = async () => {
    const n = notificationsTables(dialect).notifications;
    const rows = await subscriber.db.read((q) => q.select({ subject: n.subject }).from(n).orderBy(n.id));
    return rows.map((r) => r.subject);
  };
  const inbox = async (eventId: string) => {
    const { carveInbox } = eventTables(dialect);
    const [row] = await subscriber.db.read((q) => q.select().from(carveInbox).where(eq(carveInbox.eventId, eventId)));
    return row;
  };

  /** How many of audit's handlers run at once now, and the most that ever did, for accounts named `slow-…`. */
  const slow = { running: 0, most: 0 };
  const audit: Subscription = {
    ref: Posted,
    handler: async (payload, { q }) => {
      const { account, n } = payload as { account: string; n: number };
      if (account.startsWith('slow-')) {
        slow.most = Math.max(slow.most, ++slow.running);
        await new Promise((r) => setTimeout(r, 100));
        slow.running--;
      }
      if (failing.has(account) && (failing.get(account)! < failUntil || failUntil === Number.POSITIVE_INFINITY)) {
        failing.set(account, failing.get(account)! + 1);
        throw new Error(`audit cannot record ${account} #${n}`);
      }
      await record(q, `${account}:${n}`);
    },
  };
  const record = (q: Queryable, subject: string) =>
    q.insert(notificationsTables(dialect).notifications).values({
      id: newId(),
      userId: 'u',
      kind: 'welcome',
      subject,
      body: '-',
      dedupeKey: newId(),
      createdAt: Date.now(),
    });

  beforeAll(async () => {
    publisher = await openModuleStorage('orders', dialect);
    subscriber = await openModuleStorage('notifications', dialect);
    hub = createEventHub({
      hosts: [
        { name: 'ledger', db: publisher.db, subscriptions: new Map() },
        { name: 'audit', db: subscriber.db, subscriptions: new Map([[Posted.type, audit]]) },
      ],
      transportTo: (_from, to) => (to === 'audit' ? hub.localTransport('audit') : undefined),
      maxAttempts: MAX_ATTEMPTS,
      relay: 'on',
      logger: silent,
    });
    hub.start();
  });
  afterEach(() => {
    failing.clear();
    failUntil = 0;
  });
  afterAll(async () => {
    await hub?.stop();
    await Promise.all([publisher?.dispose(), subscriber?.dispose()]);
  });

  it('publishes nothing when the transaction that published rolls back', async () => {
    await expect(
      publisher.db.tx(async (q) => {
        await outbox().publish(q, Posted, { account: 'rolled-back', n: 1 });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await post('after-rollback', 1);
    await vi.waitFor(async () => expect(await recorded()).toContain('after-rollback:1'), { timeout: 10_000 });
    expect((await recorded()).filter((s) => s.startsWith('rolled-back'))).toEqual([]);
  });

  it('refuses a payload that breaks its own schema, failing the publishing transaction', async () => {
    await expect(post('bad', 1.5)).rejects.toThrow(/ledger.Posted payload does not match its schema/);
  });

  it('handles the events of one aggregate in the order they were published, each once', async () => {
    for (let n = 1; n <= 20; n++) await post('ordered', n);
    await vi.waitFor(async () => expect((await recorded()).filter((s) => s.startsWith('ordered:'))).toHaveLength(20), { timeout: 10_000 });
    const seen = (await recorded()).filter((s) => s.startsWith('ordered:')).map((s) => Number(s.split(':')[1]));
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('handles a batch of interleaved aggregates side by side, each aggregate in order, holding back only the failing one', async () => {
    // mixed-c fails as often as it may: its first event dies, and those behind it pass.
    failing.set('mixed-c', 0);
    failUntil = MAX_ATTEMPTS;
    const accounts = ['mixed-a', 'mixed-b', 'mixed-c'];
    const batch = Array.from({ length: 15 }, (_, i) => {
      const account = accounts[i % 3]!;
      const n = Math.floor(i / 3) + 1;
      return { id: newId(), type: Posted.type, version: 1, aggregateId: account, occurredAt: Date.now(), payload: { account, n } };
    });
    expect(await hub.accept('audit', batch)).toHaveLength(15);
    const of = async (account: string) => (await recorded()).filter((s) => s.startsWith(`${account}:`)).map((s) => Number(s.split(':')[1]));
    await vi.waitFor(async () => expect([await of('mixed-a'), await of('mixed-b')]).toEqual([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]), { timeout: 10_000 });
    // mixed-c's first event fails until it is dead; nothing behind it is handled before that.
    const [first, ...behind] = batch.filter((e) => e.aggregateId === 'mixed-c');
    await vi.waitFor(async () => expect(await of('mixed-c')).toEqual([2, 3, 4, 5]), { timeout: 10_000 });
    const dead = await inbox(first!.id);
    expect([dead?.status, dead?.attempts]).toEqual(['dead', MAX_ATTEMPTS]);
    const diedAt = Math.max(...JSON.parse(dead!.failures).map((f: { at: number }) => f.at));
    for (const e of behind) expect((await inbox(e.id))?.handledAt).toBeGreaterThanOrEqual(diedAt);
  });

  it("handles at most half the pool's worth of aggregates at once, so the module's requests still find a connection", async () => {
    // Postgres's pool has 4 connections here (test/support/module-storage.ts), and each
    // handler holds one; SQLite's one connection runs a transaction at a time.
    const batch = Array.from({ length: 6 }, (_, i) => {
      const account = `slow-${i}`;
      return { id: newId(), type: Posted.type, version: 1, aggregateId: account, occurredAt: Date.now(), payload: { account, n: 1 } };
    });
    await hub.accept('audit', batch);
    await vi.waitFor(async () => expect((await recorded()).filter((s) => s.startsWith('slow-'))).toHaveLength(6), { timeout: 10_000 });
    expect(slow.most).toBe(dialect === 'postgres' ? 2 : 1);
  });

  it('stores an event delivered twice once, and has its effect once', async () => {
    const id = await post('twice', 1);
    await vi.waitFor(async () => expect((await inbox(id))?.status).toBe('handled'), { timeout: 10_000 });
    const envelope = { id, type: Posted.type, version: 1, aggregateId: 'twice', occurredAt: Date.now(), payload: { account: 'twice', n: 1 } };
    expect(await hub.accept('audit', [envelope, envelope])).toEqual([{ ok: true }, { ok: true }]);
    await new Promise((r) => setTimeout(r, 300));
    expect((await recorded()).filter((s) => s === 'twice:1')).toHaveLength(1);
  });

  it('counts what a batch brought: new events stored once each, repeats as duplicates', async () => {
    const envelope = (account: string) => ({ id: newId(), type: Posted.type, version: 1, aggregateId: account, occurredAt: Date.now(), payload: { account, n: 1 } });
    const [a, b, c] = [envelope('batch-a'), envelope('batch-b'), envelope('batch-c')];
    expect(await receiveEvents(subscriber.db, [a])).toEqual({ received: 1, duplicates: 0 });
    // A batch with one event already stored and one sent twice.
    expect(await receiveEvents(subscriber.db, [a, b, c, c])).toEqual({ received: 2, duplicates: 2 });
    for (const e of [a, b, c]) expect((await inbox(e.id))?.eventId).toBe(e.id);
    await vi.waitFor(async () => expect((await recorded()).filter((s) => s.startsWith('batch-')).sort()).toEqual(['batch-a:1', 'batch-b:1', 'batch-c:1']), { timeout: 10_000 });
  });

  it('retries a failing handler with backoff, storing each error, and has the effect once it passes', async () => {
    failing.set('flaky', 0);
    failUntil = 2;
    const id = await post('flaky', 1);
    await vi.waitFor(async () => expect((await inbox(id))?.status).toBe('handled'), { timeout: 10_000 });
    const row = await inbox(id);
    expect(JSON.parse(row!.failures).map((f: { error: string }) => f.error)).toEqual([
      'audit cannot record flaky #1',
      'audit cannot record flaky #1',
    ]);
    expect((await recorded()).filter((s) => s === 'flaky:1')).toHaveLength(1);
  });

  it('dead-letters a poison event after MAX_ATTEMPTS without holding back the events behind it', async () => {
    failing.set('poison', 0);
    failUntil = Number.POSITIVE_INFINITY;
    const poison = await post('poison', 1);
    const later = await post('poison', 2);
    const other = await post('healthy', 1);
    await vi.waitFor(async () => expect((await inbox(poison))?.status).toBe('dead'), { timeout: 10_000 });
    const row = await inbox(poison);
    expect(row!.attempts).toBe(MAX_ATTEMPTS);
    expect(JSON.parse(row!.failures)).toHaveLength(MAX_ATTEMPTS);
    expect((await inbox(other))?.status).toBe('handled');
    // Once the poison event is dead, the same aggregate's later events pass too.
    failing.delete('poison');
    await vi.waitFor(async () => expect((await inbox(later))?.status).toBe('handled'), { timeout: 10_000 });
    expect(await recorded()).not.toContain('poison:1');
  });

  it('prunes delivered and handled events once past retention, and keeps dead ones however old', async () => {
    const id = await post('pruned', 1);
    await vi.waitFor(async () => expect((await inbox(id))?.status).toBe('handled'), { timeout: 10_000 });
    const { carveOutbox, carveInbox } = eventTables(dialect);
    const deadBefore = await subscriber.db.read((q) => q.select().from(carveInbox).where(eq(carveInbox.status, 'dead')));
    expect(deadBefore.length).toBeGreaterThan(0);

    const later = Date.now() + EVENT_RETENTION_MS + 1_000;
    expect(await pruneEvents(publisher.db, EVENT_RETENTION_MS, Date.now())).toBe(0);
    await pruneEvents(publisher.db, EVENT_RETENTION_MS, later);
    await pruneEvents(subscriber.db, EVENT_RETENTION_MS, later);
    expect(await inbox(id)).toBeUndefined();
    expect(await publisher.db.read((q) => q.select().from(carveOutbox).where(eq(carveOutbox.id, id)))).toEqual([]);
    const deadAfter = await subscriber.db.read((q) => q.select().from(carveInbox).where(eq(carveInbox.status, 'dead')));
    expect(deadAfter).toHaveLength(deadBefore.length);
  });

  it('refuses an event version the subscriber does not know, and stores nothing for it', async () => {
    const envelope = { id: newId(), type: Posted.type, version: 2, aggregateId: 'v2', occurredAt: Date.now(), payload: { account: 'v2', n: 1 } };
    const [outcome] = await hub.accept('audit', [envelope]);
    expect(outcome).toEqual({ ok: false, error: 'ledger.Posted version 2 is not the version 1 this module handles' });
    expect(await inbox(envelope.id)).toBeUndefined();
  });
});

describe('an unreachable subscriber', () => {
  it('keeps its events pending however many attempts fail, storing why', async () => {
    const publisher = await openModuleStorage('orders', 'sqlite');
    // Nobody listens on port 9 of loopback: every push is refused.
    const endpoint = new RemoteEndpoint({ module: 'audit', urls: () => ['http://127.0.0.1:9'], tokens: serviceTokens('x'.repeat(32)), logger: silent });
    const hub = createEventHub({
      hosts: [{ name: 'ledger', db: publisher.db, subscriptions: new Map() }],
      transportTo: () => httpEventTransport({ publisher: 'ledger', endpoint, timeoutMs: 1_000 }),
      maxAttempts: 1,
      relay: 'on',
      logger: silent,
    });
    try {
      hub.start();
      const id = await publisher.db.tx((q) => createOutbox(publisher.db, () => ['audit']).publish(q, Posted, { account: 'a', n: 1 }));
      const { carveOutboxDelivery: d } = eventTables('sqlite');
      await vi.waitFor(
        async () => {
          const [row] = await publisher.db.read((q) => q.select().from(d).where(eq(d.eventId, id)));
          expect(row!.attempts).toBeGreaterThan(1);
          expect(row!.status).toBe('pending');
          expect(row!.failures).toContain('audit unreachable');
        },
        { timeout: 10_000, interval: 100 },
      );
    } finally {
      await hub.stop();
      await endpoint.close();
      await publisher.dispose();
    }
  });
});
