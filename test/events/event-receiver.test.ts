import { eq } from 'drizzle-orm';
import { newId } from '../../src/shared/db/new-id.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { notificationsTables } from '../../src/modules/notifications/notifications.tables.js';
import { eventTables } from '../../src/shared/events/event-tables.js';
import { serviceTokens } from '../../src/shared/remote/service-token.js';
import { type InProcessCarve, startCarve } from '../support/carve-harness.js';

const SECRET = 'events-receiver-test-secret-0123456789';

/** POST /_events/<module> is how another process's relay hands events to a module hosted here. */
describe('POST /_events/<module>', () => {
  let t: InProcessCarve;
  const tokens = serviceTokens(SECRET);
  const push = async (module: string, body: unknown, token?: string) =>
    t.request('POST', `/_events/${module}`, { body, ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}) });
  const paid = (orderId = newId()) => ({
    id: newId(),
    type: 'orders.OrderPaid',
    version: 1,
    aggregateId: orderId,
    occurredAt: Date.now(),
    payload: { orderId, userId: 'user-1', totalCents: 1200, currency: 'USD' },
  });
  const inboxCount = async () => {
    const { carveInbox } = eventTables('sqlite');
    return (await t.moduleDb('notifications').read((q) => q.select().from(carveInbox))).length;
  };

  beforeAll(async () => {
    t = (await startCarve('sqlite', { SERVICE_SECRET: SECRET })) as InProcessCarve;
  });
  afterAll(() => t?.stop());

  it('answers 401 without a service token, and to a token minted for another module, before anything else', async () => {
    expect((await push('notifications', { events: [paid()] })).status).toBe(401);
    expect((await push('nowhere', { events: [paid()] })).status).toBe(401);
    expect((await push('notifications', { events: [paid()] }, await tokens.mint('orders', 'catalog'))).status).toBe(401);
  });

  it('stores a batch in the inbox, has its effect once, and counts a repeat as nothing new', async () => {
    const token = await tokens.mint('orders', 'notifications');
    const event = paid();
    const res = await push('notifications', { events: [event] }, token);
    expect(res.status).toBe(200);
    expect(await push('notifications', { events: [event] }, token)).toHaveProperty('status', 200);
    const { carveInbox } = eventTables('sqlite');
    await vi.waitFor(
      async () => {
        const rows = await t.moduleDb('notifications').read((q) => q.select().from(carveInbox));
        expect(rows.filter((r) => r.eventId === event.id).map((r) => r.status)).toEqual(['handled']);
      },
      { timeout: 10_000 },
    );
    const n = notificationsTables('sqlite').notifications;
    const notices = await t.moduleDb('notifications').read((q) => q.select().from(n).where(eq(n.dedupeKey, `order_paid:${event.aggregateId}`)));
    expect(notices).toHaveLength(1);
  });

  it('takes a batch whole or not at all: one event it cannot take refuses all, and says which', async () => {
    const token = await tokens.mint('orders', 'notifications');
    const before = await inboxCount();
    const bad = { ...paid(), version: 7 };
    const res = await push('notifications', { events: [paid(), bad] }, token);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ status: 400, errors: [{ path: 'events.1', message: expect.stringContaining('version 7') }] });
    expect(await inboxCount()).toBe(before);
  });

  it('answers 400 for a body that is not a batch of events, and 404 for a module that takes none', async () => {
    const token = await tokens.mint('orders', 'notifications');
    for (const body of [{}, { events: [] }, { events: [{ ...paid(), extra: 1 }] }, { events: [{ ...paid(), type: 'OrderPaid' }] }, [1, 2]]) {
      expect((await push('notifications', body, token)).status).toBe(400);
    }
    expect((await push('catalog', { events: [paid()] }, await tokens.mint('orders', 'catalog'))).status).toBe(404);
  });
});
