import { desc, eq } from 'drizzle-orm';
import { literalLimit } from '../../shared/db/literal-limit.js';
import type { ModuleDb, Queryable } from '../../shared/db/module-db.js';
import { p, prepared } from '../../shared/db/prepared.js';
import { type NotificationsTables, notificationsTables } from './notifications.tables.js';

export type NotificationRow = NotificationsTables['notifications']['$inferSelect'];

/** NotificationsRepository is notifications' SQL, written once for SQLite and Postgres. */
export class NotificationsRepository {
  readonly t: NotificationsTables;
  // Every order paid writes one; built once per handle (see prepared).
  private readonly insert: (q: Queryable, row: NotificationRow) => Promise<NotificationRow[]>;
  constructor(readonly db: ModuleDb) {
    this.t = notificationsTables(db.dialect);
    const n = this.t.notifications;
    this.insert = prepared((q) =>
      q
        .insert(n)
        .values({
          id: p('id'),
          userId: p('userId'),
          kind: p('kind'),
          subject: p('subject'),
          body: p('body'),
          dedupeKey: p('dedupeKey'),
          createdAt: p('createdAt'),
        })
        .onConflictDoNothing({ target: n.dedupeKey })
        .returning()
        .prepare('notifications_insert_once'),
    );
  }

  /**
   * insertOnce writes a row unless its dedupe key is taken, and returns the row written or
   * nothing. The unique column decides, not an earlier read, so racing calls write one row.
   */
  insertOnce(q: Queryable, row: NotificationRow): Promise<NotificationRow | undefined> {
    return this.insert(q, row).then((rows) => rows[0]);
  }

  findByDedupeKey(q: Queryable, dedupeKey: string): Promise<NotificationRow | undefined> {
    const n = this.t.notifications;
    return q.select().from(n).where(eq(n.dedupeKey, dedupeKey)).then((rows) => rows[0]);
  }

  /** listForUser returns newest first; ids are uuid v7, so they order rows written in the same millisecond. */
  listForUser(q: Queryable, userId: string, limit: number): Promise<NotificationRow[]> {
    const n = this.t.notifications;
    return q.select().from(n).where(eq(n.userId, userId)).orderBy(desc(n.createdAt), desc(n.id)).limit(literalLimit(limit));
  }
}
