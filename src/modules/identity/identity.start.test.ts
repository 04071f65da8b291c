import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, DIALECTS, type InProcessCarve, type TestDialect, startCarve } from '../../../test/support/carve-harness.js';
import { signIn, signUp } from '../../../test/support/storefront-client.js';
import { createTestDatabase } from '../../../test/support/postgres.js';
import { identityTables } from './identity.tables.js';
import { generateSigningKey, signUserToken } from './signing-key.js';

/** sharedStorage is one database that several Carve starts point at, as processes of one deployment would. */
async function sharedStorage(dialect: TestDialect): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'carve-identity-start-'));
    return { env: { DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const pg = await createTestDatabase();
  return { env: { DATABASE_URL: pg.url }, drop: () => pg.drop() };
}

const me = (t: InProcessCarve, token: string) => t.request('GET', '/api/identity/me', { token });

async function adminRows(t: InProcessCarve): Promise<number> {
  const { db } = t.carve.hosted.find((h) => h.module.name === 'identity')!;
  const { users } = identityTables(db.dialect);
  return db.read((q) => q.select({ n: count() }).from(users).where(eq(users.email, ADMIN.email)).then((r) => Number(r[0]?.n)));
}

describe.each(DIALECTS)('identity across starts (%s)', (dialect) => {
  it('two processes starting at once share one key and one admin, and tokens outlive a restart', async () => {
    const storage = await sharedStorage(dialect);
    try {
      const [a, b] = await Promise.all([startCarve(dialect, storage.env), startCarve(dialect, storage.env)]);
      const customer = await signUp(a);
      // A token from one process verifies in the other: both sign with the same stored key.
      expect((await me(b, customer.token)).status).toBe(200);
      expect((await me(a, await signIn(b, ADMIN.email, ADMIN.password))).status).toBe(200);
      expect(await adminRows(a)).toBe(1);
      await Promise.all([a.stop(), b.stop()]);

      const restarted = await startCarve(dialect, storage.env);
      try {
        expect((await me(restarted, customer.token)).status).toBe(200);
        expect(await adminRows(restarted)).toBe(1);
      } finally {
        await restarted.stop();
      }
    } finally {
      await storage.drop();
    }
  });
});

describe.each(DIALECTS)('identity with JWT_PRIVATE_KEY (%s)', (dialect) => {
  let t: InProcessCarve;
  let key: Awaited<ReturnType<typeof generateSigningKey>>;
  beforeAll(async () => {
    key = await generateSigningKey();
    // As an env file would carry it: one line, newlines escaped.
    t = await startCarve(dialect, { JWT_PRIVATE_KEY: key.pem.replaceAll('\n', '\\n') });
  });
  afterAll(() => t.stop());

  it('publishes and signs with the configured key', async () => {
    const res = await t.request('POST', '/api/identity/sessions', { body: ADMIN });
    const { token } = (await res.json()) as { token: string };
    const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString());
    expect(header).toMatchObject({ alg: 'EdDSA', kid: key.key.kid });

    const customer = await signUp(t);
    const ours = await signUserToken(key.key, { ...customer, role: 'customer' }, 60_000);
    expect((await me(t, ours.token)).status).toBe(200);
  });

  it('refuses an expired token signed with the right key', async () => {
    const customer = await signUp(t);
    const expired = await signUserToken(key.key, { ...customer, role: 'customer' }, -60_000);
    const res = await me(t, expired.token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ detail: 'The bearer token has expired' });
  });
});
