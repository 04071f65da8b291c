import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { TOKEN_ALG, TOKEN_AUDIENCE, TOKEN_ISSUER, createTokenVerifier } from './auth.js';

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

  it('refuses a token with a role it does not know', async () => {
    const k = await keyWithKid('k1');
    const verifier = createTokenVerifier(async () => k.jwk);
    await expect(verifier.verify(await sign(k.privateKey, 'k1', { email: 'a@b.co', role: 'root' }))).rejects.toMatchObject({ status: 401 });
  });
});
