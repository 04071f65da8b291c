/**
 * isUniqueViolation tells whether a write failed on a unique or primary key, in either
 * dialect, so a racing duplicate can be answered with the row that won.
 *
 * @example try { await insert() } catch (err) { if (!isUniqueViolation(err)) throw err; return findExisting() }
 */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
  }
  return false;
}
