import { expect, it } from 'vitest';
import type { TestCarve } from '../../../test/support/carve-harness.js';
import { signUp } from '../../../test/support/storefront-client.js';
import { notificationsContract } from './contract.js';

/** notificationsContractSuite: what any caller may rely on from notifications' port, under every runner. */
export function notificationsContractSuite(t: () => TestCarve) {
  it('notifications: notify keeps one notification per dedupe key, and the user sees it', async () => {
    const user = await signUp(t(), 'Noticed');
    const notify = () =>
      t()
        .port(notificationsContract)
        .notify({ userId: user.id, kind: 'order_paid', subject: 'Paid', body: 'Thanks', dedupeKey: `contract:${user.id}` });
    const first = await notify();
    await expect(notify()).resolves.toEqual(first);
    const inbox = (await (await t().request('GET', '/api/notifications', { token: user.token })).json()) as {
      items: { id: string }[];
    };
    expect(inbox.items.filter((n) => n.id === first.id)).toHaveLength(1);
  });
}
