import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDialect } from '../../../test/support/dialects.js';
import { openModuleStorage } from '../../../test/support/module-storage.js';
import type { ModuleDb } from '../../shared/db/module-db.js';
import { NotificationsRepository } from './notifications.repository.js';
import { NotificationsService } from './notifications.service.js';

const openDb = (dialect: TestDialect) => openModuleStorage('notifications', dialect);

const message = (userId: string, dedupeKey: string, subject = 'Welcome') => ({
  userId,
  kind: 'welcome' as const,
  subject,
  body: 'Glad you are here.',
  dedupeKey,
});

describe.each(DIALECTS)('notifications service (%s)', (dialect) => {
  let db: ModuleDb;
  let dispose: () => Promise<void>;
  let service: NotificationsService;

  beforeAll(async () => {
    ({ db, dispose } = await openDb(dialect));
    service = new NotificationsService(new NotificationsRepository(db));
  });
  afterAll(() => dispose());

  it('records a notification with a time-ordered id and an ISO timestamp', async () => {
    const sent = await service.notify(message('u-record', 'welcome:u-record'));
    expect(sent).toMatchObject({ userId: 'u-record', kind: 'welcome', subject: 'Welcome' });
    expect(sent.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(new Date(sent.createdAt).toISOString()).toBe(sent.createdAt);
  });

  it('returns the first notification for a repeated dedupe key and writes nothing', async () => {
    const first = await service.notify(message('u-dedupe', 'welcome:u-dedupe', 'First'));
    const again = await service.notify(message('u-dedupe', 'welcome:u-dedupe', 'Second'));
    expect(again).toEqual(first);
    expect(await service.inbox('u-dedupe')).toEqual([first]);
  });

  it('writes one row when the same key arrives concurrently', async () => {
    const sent = await Promise.all(
      Array.from({ length: 8 }, (_, i) => service.notify(message('u-race', 'welcome:u-race', `Try ${i}`))),
    );
    expect(new Set(sent.map((n) => n.id)).size).toBe(1);
    expect(await service.inbox('u-race')).toHaveLength(1);
  });

  it("lists only the user's own notifications, newest first", async () => {
    const older = await service.notify(message('u-list', 'a:u-list', 'Older'));
    await service.notify(message('u-other', 'a:u-other', 'Not yours'));
    const newer = await service.notify(message('u-list', 'b:u-list', 'Newer'));
    expect((await service.inbox('u-list')).map((n) => n.id)).toEqual([newer.id, older.id]);
  });

  it('lists at most 100 notifications', async () => {
    for (let i = 0; i < 101; i++) await service.notify(message('u-many', `k${i}:u-many`));
    expect(await service.inbox('u-many')).toHaveLength(100);
  });
});
