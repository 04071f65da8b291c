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
  /**
   * reusable is the token mint would return now, if one is minted and not due for
   * renewal: most calls need no promise, and with async context on every promise costs.
   */
  reusable(caller: string, callee: string): string | undefined;
  /** known is the caller of a token verify has proven for `callee` and that has not expired yet. */
  known(token: string, callee: string): ServiceCaller | undefined;
}

const audience = (callee: string) => `carve:${callee}`;

/** A token verify has proven: who showed it, for which callee, and until when. */
interface Proven {
  caller: ServiceCaller;
  callee: string;
  expiresAt: number;
}

/**
 * serviceTokens signs and checks the tokens one Carve process shows another on internal
 * RPC: HS256 with SERVICE_SECRET, naming the calling module, for one callee, for a minute.
 *
 * @example const tokens = serviceTokens(config.SERVICE_SECRET); await tokens.mint('orders', 'payments')
 */
export function serviceTokens(secret: string): ServiceTokens {
  const key = new TextEncoder().encode(secret);
  const minted = new Map<string, { token: string; renewAt: number }>();
  // Expiry is checked here rather than by the cache's ttl: lru-cache's ttl reads the clock
  // through a timer it sets every millisecond, a timer on nearly every internal call.
  // Keyed by the token alone: a token names its one callee (its audience), kept beside it.
  const verified = new LRUCache<string, Proven>({ max: VERIFIED_CACHE_SIZE });
  // The token proven last, compared before the cache is asked: a caller shows one token
  // for most of a minute, and comparing it costs less than hashing it, which a token
  // read fresh from a request's header must be for every lookup (about 1 µs a call).
  let last: (Proven & { token: string }) | undefined;
  const reusable = (caller: string, callee: string) => {
    const cached = minted.get(`${caller}>${callee}`);
    return cached && cached.renewAt > Date.now() ? cached.token : undefined;
  };
  const known = (token: string, callee: string) => {
    const entry = last?.token === token ? last : verified.get(token);
    if (entry && entry !== last) last = { ...entry, token };
    return entry && entry.callee === callee && entry.expiresAt > Date.now() ? entry.caller : undefined;
  };
  return {
    reusable,
    known,
    async mint(caller, callee) {
      const reused = reusable(caller, callee);
      if (reused) return reused;
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setSubject(caller)
        .setAudience(audience(callee))
        .setIssuedAt(now)
        .setExpirationTime(now + TOKEN_TTL_SECONDS)
        .sign(key);
      minted.set(`${caller}>${callee}`, { token, renewAt: (now + TOKEN_TTL_SECONDS - REUSE_MARGIN_SECONDS) * 1000 });
      return token;
    },
    async verify(token, callee) {
      // A caller reuses its token for most of a minute, and WebCrypto's verify costs a
      // trip to the thread pool: remember tokens already proven, until they expire.
      const proven = known(token, callee);
      if (proven) return proven;
      const { payload } = await jwtVerify(token, key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: audience(callee),
        clockTolerance: 5,
        requiredClaims: ['sub', 'exp'],
      });
      const caller = Object.freeze({ module: payload.sub! });
      const expiresAt = payload.exp! * 1000;
      if (expiresAt > Date.now()) verified.set(token, { caller, callee, expiresAt });
      return caller;
    },
  };
}
