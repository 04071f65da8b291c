import { type CryptoKey, SignJWT, calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8 } from 'jose';
import { TOKEN_ALG, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../shared/http/auth.js';
import type { User } from './contract.js';

/** PublicJwk is the verification key as identity's port publishes it. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
}

/** SigningKey is the Ed25519 key that signs user tokens, with its public half. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: PublicJwk;
}

/**
 * signingKeyFromPem reads a PKCS#8 PEM Ed25519 private key. The key id is the RFC 7638
 * thumbprint of the public key, so the same key always gets the same id.
 *
 * @example const key = await signingKeyFromPem(config.JWT_PRIVATE_KEY)
 */
export async function signingKeyFromPem(pem: string): Promise<SigningKey> {
  let privateKey: CryptoKey;
  let x: string | undefined;
  try {
    // Extractable only long enough to read the public half; the kept copy is not.
    ({ x } = await exportJWK(await importPKCS8(pem, TOKEN_ALG, { extractable: true })));
    privateKey = await importPKCS8(pem, TOKEN_ALG);
  } catch (err) {
    // The message names no part of the key, which is a secret.
    throw new Error('The signing key is not a PKCS#8 PEM Ed25519 private key', { cause: err });
  }
  if (!x) throw new Error('The signing key has no public part');
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x });
  return { kid, privateKey, publicJwk: { kty: 'OKP', crv: 'Ed25519', x, kid } };
}

/**
 * generateSigningKey makes a new Ed25519 key and its PEM, for storing.
 *
 * @example const { key, pem } = await generateSigningKey()
 */
export async function generateSigningKey(): Promise<{ key: SigningKey; pem: string }> {
  const pair = await generateKeyPair(TOKEN_ALG, { crv: 'Ed25519', extractable: true });
  const pem = await exportPKCS8(pair.privateKey);
  return { key: await signingKeyFromPem(pem), pem };
}

/**
 * signUserToken issues the bearer token the kernel's token verifier accepts: an EdDSA
 * JWT naming the user, with the key id in its header so verifiers can spot a new key.
 *
 * @example const { token, expiresAt } = await signUserToken(key, user, 3_600_000)
 */
export async function signUserToken(
  key: SigningKey,
  user: Pick<User, 'id' | 'email' | 'role'>,
  ttlMs: number,
  now = Date.now(),
): Promise<{ token: string; expiresAt: string }> {
  // JWT times are whole seconds; expiresAt reports the exact second the token dies.
  const exp = Math.floor((now + ttlMs) / 1000);
  const token = await new SignJWT({ email: user.email, role: user.role })
    .setProtectedHeader({ alg: TOKEN_ALG, kid: key.kid, typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(Math.floor(now / 1000))
    .setExpirationTime(exp)
    .sign(key.privateKey);
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}
