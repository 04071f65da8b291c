import { newId } from '../../shared/db/new-id.js';
import type { z } from 'zod';
import type { Implementation } from '../../shared/contract/index.js';
import type { Notification, notificationsContract } from './contract.js';
import type { NotificationRow, NotificationsRepository } from './notifications.repository.js';

type NotifyInput = z.output<(typeof notificationsContract)['methods']['notify']['input']>;

/** An inbox shows this many; enough for a storefront, so there is no paging yet. */
const INBOX_LIMIT = 100;

function toNotification(row: NotificationRow): Notification {
  const { id, userId, subject, body, createdAt } = row;
  return { id, userId, kind: row.kind as Notification['kind'], subject, body, createdAt: new Date(createdAt).toISOString() };
}

/**
 * NotificationsService records what users are told and shows each their own inbox.
 * The stored row is the delivery: no mail provider sits behind it yet.
 */
export class NotificationsService implements Implementation<typeof notificationsContract> {
  constructor(private readonly repo: NotificationsRepository) {}

  /** notify records a notification once per dedupe key; a repeat returns the first and writes nothing. */
  async notify(input: NotifyInput): Promise<Notification> {
    const row = await this.repo.db.tx(
      async (q) =>
        (await this.repo.insertOnce(q, { id: newId(), ...input, createdAt: Date.now() })) ??
        // The key was taken, by an earlier call or a concurrent one that has committed.
        (await this.repo.findByDedupeKey(q, input.dedupeKey)),
    );
    if (!row) throw new Error(`notification ${input.dedupeKey} was neither written nor found`);
    return toNotification(row);
  }

  /** inbox is a user's own notifications, newest first. */
  async inbox(userId: string): Promise<Notification[]> {
    const rows = await this.repo.db.read((q) => this.repo.listForUser(q, userId, INBOX_LIMIT));
    return rows.map(toNotification);
  }
}
