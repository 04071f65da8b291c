import { and, eq, ne } from 'drizzle-orm';
import type { ModuleDb, Queryable } from '../../shared/db/module-db.js';
import { type IdentityTables, identityTables } from './identity.tables.js';

export type UserRow = IdentityTables['users']['$inferSelect'];
export type SigningKeyRow = IdentityTables['signingKeys']['$inferSelect'];

/** The slot of the key that signs new tokens; a rotation would move the old key out of it. */
export const CURRENT_SLOT = 'current';

/**
 * IdentityRepository holds all of identity's SQL, written once for both dialects. Every
 * write that can race leans on a unique column, never on a read before it.
 */
export class IdentityRepository {
  private readonly t: IdentityTables;

  constructor(readonly db: ModuleDb) {
    this.t = identityTables(db.dialect);
  }

  /** findUserByEmail looks a user up by their normalised email. */
  findUserByEmail(email: string): Promise<UserRow | undefined> {
    const { users } = this.t;
    return this.db.read((q) => q.select().from(users).where(eq(users.email, email)).then((rows) => rows[0]));
  }

  /** findUserById looks a user up by id. */
  findUserById(id: string): Promise<UserRow | undefined> {
    const { users } = this.t;
    return this.db.read((q) => q.select().from(users).where(eq(users.id, id)).then((rows) => rows[0]));
  }

  /**
   * insertUser writes a user and returns it, or nothing when the email is already taken.
   * `andThen` runs in the same transaction once the row is written: to publish its event.
   */
  insertUser(row: UserRow, andThen?: (q: Queryable, row: UserRow) => Promise<void>): Promise<UserRow | undefined> {
    const { users } = this.t;
    return this.db.tx(async (q) => {
      const [inserted] = await q.insert(users).values(row).onConflictDoNothing({ target: users.email }).returning();
      if (inserted && andThen) await andThen(q, inserted);
      return inserted;
    });
  }

  /** promoteToAdmin makes a user an admin and tells whether that changed anything. */
  promoteToAdmin(email: string): Promise<boolean> {
    const { users } = this.t;
    return this.db.tx((q) =>
      q
        .update(users)
        .set({ role: 'admin' })
        .where(and(eq(users.email, email), ne(users.role, 'admin')))
        .returning({ id: users.id })
        .then((rows) => rows.length > 0),
    );
  }

  /** currentSigningKey is the stored key that signs new tokens, if one was made yet. */
  currentSigningKey(): Promise<SigningKeyRow | undefined> {
    const { signingKeys } = this.t;
    return this.db.read((q) =>
      q
        .select()
        .from(signingKeys)
        .where(eq(signingKeys.slot, CURRENT_SLOT))
        .then((rows) => rows[0]),
    );
  }

  /** insertSigningKey stores a key unless its slot is taken: the first of racing writers wins. */
  async insertSigningKey(row: SigningKeyRow): Promise<void> {
    const { signingKeys } = this.t;
    await this.db.tx((q) => q.insert(signingKeys).values(row).onConflictDoNothing({ target: signingKeys.slot }));
  }
}
