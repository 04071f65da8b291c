import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, DIALECTS, type InProcessCarve, startCarve } from '../../../test/support/carve-harness.js';
import { signIn, signUp } from '../../../test/support/storefront-client.js';
import { PortError } from '../../shared/contract/port-error.js';
import { portToken } from '../../shared/di/tokens.js';
import { identityContract } from './contract.js';
import { generateSigningKey, signUserToken } from './signing-key.js';

const PASSWORD = 'correct-horse-battery';
let counter = 0;
const freshEmail = () => `person${++counter}.${Date.now()}@carve.test`;

describe.each(DIALECTS)('identity over HTTP (%s)', (dialect) => {
  let t: InProcessCarve;
  beforeAll(async () => {
    t = await startCarve(dialect);
  });
  afterAll(() => t.stop());

  const register = (body: Record<string, unknown>) => t.request('POST', '/api/identity/users', { body });
  const me = (token?: string) => t.request('GET', '/api/identity/me', token ? { token } : {});

  it('registers a customer and answers with the account, never the password or its hash', async () => {
    const email = freshEmail();
    const res = await register({ email: `  ${email.toUpperCase()} `, password: PASSWORD, name: 'Ada' });
    expect(res.status).toBe(201);
    const text = await res.text();
    const body = JSON.parse(text);
    expect(Object.keys(body).sort()).toEqual(['email', 'id', 'name', 'role']);
    expect(body).toMatchObject({ email, name: 'Ada', role: 'customer' });
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('scrypt');
  });

  it('refuses a taken email with 409, whatever its case', async () => {
    const email = freshEmail();
    expect((await register({ email, password: PASSWORD, name: 'First' })).status).toBe(201);
    for (const again of [email, email.toUpperCase()]) {
      const res = await register({ email: again, password: PASSWORD, name: 'Second' });
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ code: 'EMAIL_TAKEN' });
    }
  });

  it('lists every invalid field: bad email, short password, empty name', async () => {
    const res = await register({ email: 'not-an-email', password: 'short', name: '' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; errors: { path: string }[] };
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors.map((e) => e.path).sort()).toEqual(['email', 'name', 'password']);
  });

  it('refuses a password one character short of 10', async () => {
    const res = await register({ email: freshEmail(), password: '123456789', name: 'Ada' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['password']);
  });

  it('signs in with any case of the email and the token opens /me', async () => {
    const email = freshEmail();
    const created = await (await register({ email, password: PASSWORD, name: 'Grace' })).json();
    const res = await t.request('POST', '/api/identity/sessions', { body: { email: email.toUpperCase(), password: PASSWORD } });
    expect(res.status).toBe(200);
    const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: string };
    // The default JWT_TTL is one hour.
    expect(Math.abs(Date.parse(expiresAt) - Date.now() - 3_600_000)).toBeLessThan(5_000);
    const mine = await me(token);
    expect(mine.status).toBe(200);
    expect(await mine.json()).toEqual(created);
  });

  it('answers a wrong password and an unknown email with the same 401', async () => {
    const { email } = await signUp(t);
    const wrong = await t.request('POST', '/api/identity/sessions', { body: { email, password: 'not-the-password' } });
    const unknown = await t.request('POST', '/api/identity/sessions', { body: { email: freshEmail(), password: PASSWORD } });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const [a, b] = (await Promise.all([wrong.json(), unknown.json()])) as { detail: string; requestId?: string }[];
    expect({ ...a, requestId: undefined }).toEqual({ ...b, requestId: undefined });
  });

  it('refuses /me without a token', async () => {
    expect((await me()).status).toBe(401);
    expect((await me('not.a.jwt')).status).toBe(401);
  });

  it('refuses a token signed by another key, even one naming the real key id', async () => {
    const customer = await signUp(t);
    const { jwk } = await port().getVerificationKey({});
    const other = (await generateSigningKey()).key;
    const forged = await signUserToken({ ...other, kid: jwk.kid }, { ...customer, role: 'admin' }, 60_000);
    expect((await me(forged.token)).status).toBe(401);
  });

  it('turns away a valid token whose account no longer exists', async () => {
    const customer = await signUp(t);
    const identity = t.carve.hosted.find((h) => h.module.name === 'identity')!;
    await identity.db.execute(`delete from users where id = '${customer.id}'`);
    expect((await me(customer.token)).status).toBe(401);
  });

  it('creates the admin from ADMIN_EMAIL and ADMIN_PASSWORD at start', async () => {
    const token = await signIn(t, ADMIN.email, ADMIN.password);
    expect(await (await me(token)).json()).toMatchObject({ email: ADMIN.email, role: 'admin' });
  });

  it('publishes an Ed25519 key and finds users through the port', async () => {
    const identity = port();
    const key = await identity.getVerificationKey({});
    expect(key).toMatchObject({ alg: 'EdDSA', jwk: { kty: 'OKP', crv: 'Ed25519' } });
    expect(Buffer.from(key.jwk.x, 'base64url')).toHaveLength(32);
    const customer = await signUp(t);
    expect(await identity.getUser({ id: customer.id })).toMatchObject({ id: customer.id, role: 'customer' });
    await expect(identity.getUser({ id: 'no-such-user' })).rejects.toSatisfy(
      (err) => err instanceof PortError && err.code === 'USER_NOT_FOUND',
    );
  });

  const port = () => t.carve.container.resolve(portToken(identityContract));
});
