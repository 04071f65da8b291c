import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

// OWASP's scrypt floor: about 16 MiB and tens of milliseconds per hash.
const PARAMS = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 64;
const SALT_BYTES = 16;

/** derive runs scrypt on the thread pool, so hashing never blocks the event loop. */
function derive(password: string, salt: Buffer, params: typeof PARAMS, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keyLength, { ...params, maxmem: 256 * params.N * params.r }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * hashPassword hashes a password with scrypt and a fresh random salt. The parameters
 * travel in the result, so they can be raised later without breaking old hashes.
 *
 * @example const stored = await hashPassword('correct-horse-battery') // 'scrypt$16384$8$1$<salt>$<hash>'
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, PARAMS, KEY_LENGTH);
  return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * verifyPassword tells whether a password matches a stored hash, comparing in constant
 * time. A hash it cannot parse never matches.
 *
 * @example if (!(await verifyPassword(input, user.passwordHash))) throw unauthorized()
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltText, hashText] = stored.split('$');
  if (scheme !== 'scrypt' || !saltText || !hashText) return false;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (!Object.values(params).every((v) => Number.isInteger(v) && v > 0)) return false;
  const expected = Buffer.from(hashText, 'base64');
  if (expected.length === 0) return false;
  const actual = await derive(password, Buffer.from(saltText, 'base64'), params, expected.length);
  return timingSafeEqual(actual, expected);
}
