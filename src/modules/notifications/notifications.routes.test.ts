import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type InProcessCarve, startCarve } from '../../../test/support/carve-harness.js';
import { type Customer, signUp } from '../../../test/support/storefront-client.js';
import { portToken } from '../../shared/di/tokens.js';
import { notificationsContract } from './contract.js';

describe.each(DIALECTS)('notifications over HTTP (%s)', (dialect) => {
  let t: InProcessCarve;
  let ada: Customer;
  let bob: Customer;
  beforeAll(async () => {
    t = await startCarve(dialect);
    [ada, bob] = [await signUp(t, 'Ada'), await signUp(t, 'Bob')];
  });
  afterAll(() => t.stop());

  // Through the port, as orders would send one.
  const notify = (userId: string, subject: string) =>
    t.carve.container
      .resolve(portToken(notificationsContract))
      .notify({ userId, kind: 'order_paid', subject, body: `${subject}, thank you.`, dedupeKey: `${subject}:${userId}` });
  const inbox = (token?: string) => t.request('GET', '/api/notifications', token ? { token } : {});

  it('refuses a caller without a valid token with 401', async () => {
    expect((await inbox()).status).toBe(401);
    const forged = await inbox('not-a-token');
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toContain('application/problem+json');
  });

  it("shows a user only their own notifications, newest first, without anyone's user id", async () => {
    const first = await notify(ada.id, 'Order 1 paid');
    await notify(bob.id, 'Bob order paid');
    const second = await notify(ada.id, 'Order 2 paid');

    const res = await inbox(ada.token);
    expect(res.status).toBe(200);
    // Registering also earned a welcome notice, whenever its event was handled: leave it aside.
    const items = ((await res.json()) as { items: { id: string; kind: string }[] }).items.filter((n) => n.kind !== 'welcome');
    expect(items.map((n) => n.id)).toEqual([second.id, first.id]);
    expect(items[0]).toEqual({
      id: second.id,
      kind: 'order_paid',
      subject: 'Order 2 paid',
      body: 'Order 2 paid, thank you.',
      createdAt: second.createdAt,
    });
  });
});
