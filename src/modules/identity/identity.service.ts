import { randomUUID } from 'node:crypto';
import { newId } from '../../shared/db/new-id.js';
import type { Config } from '../../shared/config/config.js';
import { type Implementation, contractError } from '../../shared/contract/index.js';
import { HttpProblem, unauthorized } from '../../shared/errors/http-problem.js';
import type { Outbox } from '../../shared/events/outbox.js';
import { type User, identityContract } from './contract.js';
import type { IdentityRepository, UserRow } from './identity.repository.js';
import { hashPassword, verifyPassword } from './password.js';
import type { SigningKeyStore } from './signing-key-store.js';
import { signUserToken } from './signing-key.js';

/** normalizeEmail is the one form an email is stored and looked up in, so case never splits an account. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, name: row.name, role: row.role as User['role'] };
}

/**
 * IdentityService is identity's port plus what its routes need: accounts, password
 * sign-in, and the tokens every other module verifies with the published key.
 */
export class IdentityService implements Implementation<typeof identityContract> {
  // Sign-in checks unknown emails against this, so they cost as much as wrong passwords.
  private readonly decoyHash = hashPassword(randomUUID());

  constructor(
    private readonly repo: IdentityRepository,
    private readonly keys: SigningKeyStore,
    private readonly config: Pick<Config, 'JWT_TTL'>,
    private readonly outbox: Outbox,
  ) {}

  /** getVerificationKey publishes the public half of the signing key, for every token verifier. */
  async getVerificationKey() {
    const { publicJwk } = await this.keys.current();
    return { alg: 'EdDSA' as const, jwk: publicJwk };
  }

  /** getUser is the port's lookup: a missing user is the declared USER_NOT_FOUND. */
  async getUser({ id }: { id: string }): Promise<User> {
    const row = await this.repo.findUserById(id);
    if (!row) throw contractError(identityContract, 'USER_NOT_FOUND', `No user ${id}`);
    return toUser(row);
  }

  /** findUser is the user with an id, or nothing if the account is gone. */
  async findUser(id: string): Promise<User | undefined> {
    const row = await this.repo.findUserById(id);
    return row && toUser(row);
  }

  /** register creates a customer account and publishes UserRegistered with it; a taken email is a 409 whatever its case. */
  async register(input: { email: string; password: string; name: string }): Promise<User> {
    const email = normalizeEmail(input.email);
    const user = {
      id: newId(),
      email,
      name: input.name,
      role: 'customer',
      passwordHash: await hashPassword(input.password),
      createdAt: Date.now(),
    };
    const row = await this.repo.insertUser(user, (q, u) =>
      this.outbox.publish(q, identityContract.events.UserRegistered, { userId: u.id, email: u.email, name: u.name }).then(() => {}),
    );
    if (!row) throw new HttpProblem(409, 'EMAIL_TAKEN', 'Email taken', `An account with ${email} already exists`);
    return toUser(row);
  }

  /** signIn trades an email and password for a bearer token. Both failures read the same. */
  async signIn(input: { email: string; password: string }): Promise<{ token: string; expiresAt: string }> {
    const row = await this.repo.findUserByEmail(normalizeEmail(input.email));
    const matches = await verifyPassword(input.password, row?.passwordHash ?? (await this.decoyHash));
    if (!row || !matches) throw unauthorized('The email or password is not right');
    return signUserToken(await this.keys.current(), toUser(row), this.config.JWT_TTL);
  }

  /**
   * ensureAdmin makes sure the configured admin exists with role admin. An existing
   * account keeps its password. Racing starts are safe: the email is unique.
   */
  async ensureAdmin(rawEmail: string, password: string): Promise<'created' | 'promoted' | 'unchanged'> {
    const email = normalizeEmail(rawEmail);
    if (!(await this.repo.findUserByEmail(email))) {
      const created = await this.repo.insertUser({
        id: newId(),
        email,
        name: 'Admin',
        role: 'admin',
        passwordHash: await hashPassword(password),
        createdAt: Date.now(),
      });
      if (created) return 'created';
    }
    return (await this.repo.promoteToAdmin(email)) ? 'promoted' : 'unchanged';
  }
}
