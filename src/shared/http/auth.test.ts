import { Hono } from 'hono';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import type { AppEnv } from './app-env.js';
import { TOKEN_ALG, TOKEN_AUDIENCE, TOKEN_ISSUER, createTokenVerifier, requireUser } from './auth.js';
import { problemResponse } from './create-http-app.js';

async function keyWithKid(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(TOKEN_ALG, { crv: 'Ed25519' });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid } };
}

const sign = (key: CryptoKeyLike, kid: string, claims = { email: 'a@b.co', role: 'customer' }) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: TOKEN_ALG, kid })
    .setSubject('user-1')
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setExpirationTime('5m')
    .sign(key);
type CryptoKeyLike = Parameters<SignJWT['sign']>[0];

/** rotatingKeys is identity with key `old`, a verifier that may ask again at any time, and `rotate` to switch identity to key `next`. */
async function rotatingKeys() {
  const old = await keyWithKid('old');
  const next = await keyWithKid('next');
  let current = old;
  const verifier = createTokenVerifier(async () => current.jwk, { refetchAfterMs: 0 });
  return { old, next, verifier, rotate: () => (current = next) };
}

describe('the token verifier', () => {
  it('accepts a token signed by the current key and reads the user from it', async () => {
    const k = await keyWithKid('k1');
    const verifier = createTokenVerifier(async () => k.jwk);
    await expect(verifier.verify(await sign(k.privateKey, 'k1'))).resolves.toEqual({ id: 'user-1', email: 'a@b.co', role: 'customer' });
  });

  it('picks up a rotated key, but asks identity again at most once per window', async () => {
    const old = await keyWithKid('old');
    const next = await keyWithKid('next');
    let current = old;
    let fetches = 0;
    const verifier = createTokenVerifier(
      async () => {
        fetches++;
        return current.jwk;
      },
      { refetchAfterMs: 0 },
    );
    await verifier.verify(await sign(old.privateKey, 'old'));
    current = next;
    await expect(verifier.verify(await sign(next.privateKey, 'next'))).resolves.toMatchObject({ id: 'user-1' });
    expect(fetches).toBe(2);

    const slow = createTokenVerifier(async () => {
      fetches++;
      return old.jwk;
    });
    fetches = 0;
    await slow.verify(await sign(old.privateKey, 'old'));
    const forged = await sign(next.privateKey, 'made-up');
    for (let i = 0; i < 5; i++) await expect(slow.verify(forged)).rejects.toMatchObject({ status: 401 });
    expect(fetches).toBe(1);
  });

  it('with a window of 0, asks again even within the millisecond of the last fetch', async () => {
    const { old, next, verifier, rotate } = await rotatingKeys();
    const before = await sign(old.privateKey, 'old');
    const after = await sign(next.privateKey, 'next');
    // A fast machine does both in one millisecond; the clock is held still to make it so every time.
    const now = vi.spyOn(Date, 'now').mockReturnValue(Date.now());
    try {
      await verifier.verify(before);
      rotate();
      await expect(verifier.verify(after)).resolves.toMatchObject({ id: 'user-1' });
    } finally {
      now.mockRestore();
    }
  });

  it('refuses a token it accepted before once the token has expired', async () => {
    const k = await keyWithKid('k1');
    const verifier = createTokenVerifier(async () => k.jwk);
    const token = await new SignJWT({ email: 'a@b.co', role: 'customer' })
      .setProtectedHeader({ alg: TOKEN_ALG, kid: 'k1' })
      .setSubject('user-1')
      .setIssuer(TOKEN_ISSUER)
      .setAudience(TOKEN_AUDIENCE)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 1)
      .sign(k.privateKey);
    await expect(verifier.verify(token)).resolves.toMatchObject({ id: 'user-1' });
    await new Promise((r) => setTimeout(r, 2_100));
    await expect(verifier.verify(token)).rejects.toThrow('The bearer token has expired');
  });

  it('refuses a token of a retired key, even one it accepted before, once it has fetched the new key', async () => {
    const { old, next, verifier, rotate } = await rotatingKeys();
    const before = await sign(old.privateKey, 'old');
    await expect(verifier.verify(before)).resolves.toMatchObject({ id: 'user-1' });
    rotate();
    await verifier.verify(await sign(next.privateKey, 'next'));
    await expect(verifier.verify(before)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses a token with a role it does not know', async () => {
    const k = await keyWithKid('k1');
    const verifier = createTokenVerifier(async () => k.jwk);
    await expect(verifier.verify(await sign(k.privateKey, 'k1', { email: 'a@b.co', role: 'root' }))).rejects.toMatchObject({ status: 401 });
  });
});

describe('requireUser', () => {
  it('admits a signed-in user, checking the signature of a token only the first time it is shown', async () => {
    const k = await keyWithKid('k1');
    const real = createTokenVerifier(async () => k.jwk);
    const verifier = { verify: vi.fn(real.verify), known: real.known };
    const app = new Hono<AppEnv>();
    app.use(requireUser(verifier));
    app.get('/me', (c) => c.json(c.var.user));
    app.onError((err, c) => problemResponse(c, err));
    const headers = { authorization: `Bearer ${await sign(k.privateKey, 'k1')}` };
    for (let i = 0; i < 3; i++) expect(await (await app.request('/me', { headers })).json()).toEqual({ id: 'user-1', email: 'a@b.co', role: 'customer' });
    expect(verifier.verify).toHaveBeenCalledTimes(1);
    expect((await app.request('/me', { headers: { authorization: 'Bearer not.a.token' } })).status).toBe(401);
    expect((await app.request('/me')).status).toBe(401);
  });
});
