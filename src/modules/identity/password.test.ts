import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password.js';

describe('password hashing', () => {
  it('stores scrypt parameters, a 16-byte salt and a 64-byte hash, never the password', async () => {
    const stored = await hashPassword('correct-horse-battery');
    const [scheme, n, r, p, salt, hash] = stored.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(hash!, 'base64')).toHaveLength(64);
    expect(stored).not.toContain('correct-horse-battery');
  });

  it('accepts the right password and rejects a wrong one', async () => {
    const stored = await hashPassword('correct-horse-battery');
    expect(await verifyPassword('correct-horse-battery', stored)).toBe(true);
    expect(await verifyPassword('correct-horse-batterY', stored)).toBe(false);
  });

  it('salts every hash, so equal passwords do not give equal hashes', async () => {
    expect(await hashPassword('same-password-1')).not.toBe(await hashPassword('same-password-1'));
  });

  it('never matches a hash it cannot parse', async () => {
    for (const junk of ['', 'plain-text', 'bcrypt$1$2$3$c2FsdA==$aGFzaA==', 'scrypt$0$8$1$c2FsdA==$aGFzaA==', 'scrypt$16384$8$1$c2FsdA==$']) {
      expect(await verifyPassword('anything', junk)).toBe(false);
    }
  });
});
