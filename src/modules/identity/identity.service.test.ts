import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, type TestDialect } from '../../../test/support/dialects.js';
import { openModuleStorage } from '../../../test/support/module-storage.js';
import { createLogger } from '../../shared/log/logger.js';
import { IdentityRepository } from './identity.repository.js';
import { IdentityService } from './identity.service.js';
import { identityTables } from './identity.tables.js';
import { verifyPassword } from './password.js';
import { SigningKeyStore } from './signing-key-store.js';
import { createOutbox } from '../../shared/events/outbox.js';

const silent = createLogger('silent');

/**
 * openStorage gives the file one migrated identity database and a way to open more
 * handles on it, each standing in for another process.
 */
async function openStorage(dialect: TestDialect) {
  const storage = await openModuleStorage('identity', dialect);
  let first = true;
  const process = () => {
    const db = first ? storage.db : storage.open();
    first = false;
    const repo = new IdentityRepository(db);
    const keys = new SigningKeyStore(repo, {}, silent);
    return { db, repo, keys, service: new IdentityService(repo, keys, { JWT_TTL: 60_000 }, createOutbox(db, () => [])) };
  };
  return { process, dispose: storage.dispose };
}

type Storage = Awaited<ReturnType<typeof openStorage>>;
type Process = ReturnType<Storage['process']>;

const rowCount = (p: Process, table: 'users' | 'signingKeys') =>
  p.db.read((q) => q.select({ n: count() }).from(identityTables(p.db.dialect)[table]).then((r) => Number(r[0]?.n)));

describe.each(DIALECTS)('identity storage across processes (%s)', (dialect) => {
  let storage: Storage;
  beforeAll(async () => {
    storage = await openStorage(dialect);
  });
  afterAll(() => storage.dispose());

  it('keeps one signing key when processes create it at the same moment', async () => {
    const racers = Array.from({ length: 4 }, () => storage.process());
    const keys = await Promise.all(racers.map((p) => p.keys.current()));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    expect(await rowCount(racers[0]!, 'signingKeys')).toBe(1);

    const later = storage.process();
    expect((await later.service.getVerificationKey()).jwk).toEqual(keys[0]!.publicJwk);
  });

  it('creates the admin once when processes bootstrap at the same moment', async () => {
    const racers = Array.from({ length: 4 }, () => storage.process());
    const outcomes = await Promise.all(racers.map((p) => p.service.ensureAdmin(' Boss@Carve.test ', 'admin-password-1')));
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'promoted')).toHaveLength(0);
    const admin = await racers[0]!.repo.findUserByEmail('boss@carve.test');
    expect(admin?.role).toBe('admin');
    expect(await rowCount(racers[0]!, 'users')).toBe(1);
  });

  it('promotes an existing account to admin and leaves its password alone', async () => {
    const p = storage.process();
    await p.service.register({ email: 'owner@carve.test', password: 'owners-own-password', name: 'Owner' });
    expect(await p.service.ensureAdmin('owner@carve.test', 'configured-password')).toBe('promoted');
    expect(await p.service.ensureAdmin('owner@carve.test', 'configured-password')).toBe('unchanged');
    const row = await p.repo.findUserByEmail('owner@carve.test');
    expect(row?.role).toBe('admin');
    expect(await verifyPassword('owners-own-password', row!.passwordHash)).toBe(true);
    expect(await verifyPassword('configured-password', row!.passwordHash)).toBe(false);
  });
});
