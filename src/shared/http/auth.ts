import type { MiddlewareHandler } from 'hono';
import { type JWK, errors as joseErrors, importJWK, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import { cachedUntilFailure } from '../async/cached-until-failure.js';
import { forbidden, unauthorized } from '../errors/http-problem.js';
import type { AppEnv, AuthUser, Role } from './app-env.js';

export const TOKEN_ISSUER = 'carve-identity';
export const TOKEN_AUDIENCE = 'carve';
export const TOKEN_ALG = 'EdDSA';

const Claims = z.object({
  sub: z.string().min(1),
  email: z.string(),
  role: z.enum(['customer', 'admin']),
});

/** TokenVerifier turns a bearer token into the user it names, or throws 401. */
export interface TokenVerifier {
  verify(token: string): Promise<AuthUser>;
  /**
   * known is the user of a token verify has proven and still trusts, with no promise:
   * a client sends one token with request after request, and with async context on
   * every promise costs.
   */
  known?(token: string): AuthUser | undefined;
}

/** How long a verified token is taken on trust before its signature is checked again. */
const TRUST_VERIFIED_MS = 5 * 60_000;

/**
 * createTokenVerifier checks user JWTs against identity's public key. It asks for the
 * key once and again only when a token names a key id it has not seen, so a key
 * rotation in identity is picked up without a restart.
 *
 * A client sends one token with request after request, and checking an Ed25519
 * signature costs about a tenth of a millisecond, so a token that verified is remembered
 * (up to 10,000 of them) until it expires, or for five minutes at most. Fetching a new key
 * forgets them all, so a token of a retired key is refused as before.
 *
 * @example createTokenVerifier(async () => (await identity.getVerificationKey({})).jwk)
 */
export function createTokenVerifier(
  fetchKey: () => Promise<JWK & { kid?: string }>,
  { refetchAfterMs = 30_000 } = {},
): TokenVerifier {
  let fetchedAt = 0;
  // Trust runs out by a time kept with each token rather than by the cache's ttl:
  // lru-cache's ttl reads the clock through a timer it sets every millisecond, a timer on
  // nearly every request, as service-token.ts found.
  const verified = new LRUCache<string, { user: AuthUser; until: number }>({ max: 10_000 });
  const key = cachedUntilFailure(async () => {
    fetchedAt = Date.now();
    verified.clear();
    const jwk = await fetchKey();
    return { kid: jwk.kid, key: await importJWK(jwk, TOKEN_ALG) };
  });
  const known = (token: string) => {
    const entry = verified.get(token);
    return entry && entry.until > Date.now() ? entry.user : undefined;
  };
  return {
    known,
    async verify(token) {
      const trusted = known(token);
      if (trusted) return trusted;
      let current = await key();
      let kid: string | undefined;
      try {
        kid = (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: string }).kid;
      } catch {
        throw unauthorized('The bearer token is malformed');
      }
      // An unknown key id may mean identity rotated its key. Ask again, but rarely, so
      // forged headers cannot turn every request into a call to identity.
      // At least the window since the last fetch: with a window of 0, an ask in the same
      // millisecond as the last fetch must still go.
      if (kid && current.kid && kid !== current.kid && Date.now() - fetchedAt >= refetchAfterMs) {
        key.forget();
        current = await key();
      }
      try {
        const { payload } = await jwtVerify(token, current.key, {
          issuer: TOKEN_ISSUER,
          audience: TOKEN_AUDIENCE,
          algorithms: [TOKEN_ALG],
        });
        const claims = Claims.parse(payload);
        const user: AuthUser = Object.freeze({ id: claims.sub, email: claims.email, role: claims.role });
        const left = payload.exp === undefined ? TRUST_VERIFIED_MS : payload.exp * 1000 - Date.now();
        if (left > 0) verified.set(token, { user, until: Date.now() + Math.min(left, TRUST_VERIFIED_MS) });
        return user;
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw unauthorized('The bearer token has expired');
        throw unauthorized('The bearer token is not valid');
      }
    },
  };
}

/** requireUser admits only requests with a valid bearer token and sets `c.var.user`. */
export function requireUser(verifier: TokenVerifier): MiddlewareHandler<AppEnv> {
  // Not async: a token already proven goes straight on, with no promise of its own.
  return function requireUser(c, next) {
    const header = c.req.header('authorization');
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw unauthorized();
    const user = verifier.known?.(match[1]);
    if (user) {
      c.set('user', user);
      return next();
    }
    return verifier.verify(match[1]).then((verified) => {
      c.set('user', verified);
      return next();
    });
  };
}

/** requireRole admits only a signed-in user with the given role; use after requireUser. */
export function requireRole(role: Role): MiddlewareHandler<AppEnv> {
  return async function requireRole(c, next) {
    if (c.var.user?.role !== role) throw forbidden(`Only an ${role} may do this`);
    await next();
  };
}
