import { SignJWT, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';

/** How long a service token lives: short, so a leaked one is soon worthless. */
const TOKEN_TTL_SECONDS = 60;
/** A minted token is reused until this close to its expiry, so most calls sign nothing. */
const REUSE_MARGIN_SECONDS = 20;
const ISSUER = 'carve';
/** Tokens proven valid and remembered; the least recently used is forgotten first. */
const VERIFIED_CACHE_SIZE = 1_000;

/** ServiceCaller is who a verified service token says is calling. */
export interface ServiceCaller {
  module: string;
}

export interface ServiceTokens {
  /** mint returns a token naming `caller` that only `callee` accepts. */
  mint(caller: string, callee: string): Promise<string>;
  /** verify returns the caller if the token is valid for `callee`, and throws otherwise. */
  verify(token: string, callee: string): Promise<ServiceCaller>;
}

const audience = (callee: string) => `carve:${callee}`;

/**
 * serviceTokens signs and checks the tokens one Carve process shows another on internal
 * RPC: HS256 with SERVICE_SECRET, naming the calling module, for one callee, for a minute.
 *
 * @example const tokens = serviceTokens(config.SERVICE_SECRET); await tokens.mint('orders', 'payments')
 */
export function serviceTokens(secret: string): ServiceTokens {
  const key = new TextEncoder().encode(secret);
  const cache = new Map<string, { token: string; renewAt: number }>();
  const verified = new LRUCache<string, ServiceCaller>({ max: VERIFIED_CACHE_SIZE, ttl: TOKEN_TTL_SECONDS * 1000 });
  return {
    async mint(caller, callee) {
      const cacheKey = `${caller}>${callee}`;
      const cached = cache.get(cacheKey);
      if (cached && cached.renewAt > Date.now()) return cached.token;
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setSubject(caller)
        .setAudience(audience(callee))
        .setIssuedAt(now)
        .setExpirationTime(now + TOKEN_TTL_SECONDS)
        .sign(key);
      cache.set(cacheKey, { token, renewAt: (now + TOKEN_TTL_SECONDS - REUSE_MARGIN_SECONDS) * 1000 });
      return token;
    },
    async verify(token, callee) {
      // A caller reuses its token for most of a minute, and WebCrypto's verify costs a
      // trip to the thread pool: remember tokens already proven, until they expire.
      const cacheKey = `${callee} ${token}`;
      const known = verified.get(cacheKey);
      if (known) return known;
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: audience(callee),
        clockTolerance: 5,
        requiredClaims: ['sub', 'exp'],
      });
      const caller = Object.freeze({ module: payload.sub! });
      const left = payload.exp! * 1000 - Date.now();
      if (left > 0) verified.set(cacheKey, caller, { ttl: left });
      return caller;
    },
  };
}
