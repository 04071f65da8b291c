import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { redactUrl } from '../../shared/db/postgres-db.js';

const SQLITE = 'sqlite:';

/**
 * isSqliteUrl tells a `sqlite:<file>` DATABASE_URL from a `postgres://` one.
 *
 * @example isSqliteUrl('sqlite:./data/catalog.db') // true
 */
export function isSqliteUrl(url: string): boolean {
  return url.startsWith(SQLITE);
}

/**
 * sqliteFile is the file a `sqlite:` DATABASE_URL names.
 *
 * @example sqliteFile('sqlite:./data/catalog.db') // './data/catalog.db'
 */
export function sqliteFile(url: string): string {
  return url.slice(SQLITE.length);
}

/**
 * sameStore tells whether two DATABASE_URLs name the same module store: the same file, or
 * the same database on the same server. Moving a store onto itself would "succeed" and
 * tell the user nothing.
 *
 * @example sameStore('sqlite:./data/a.db', 'sqlite:data/a.db') // true
 */
export function sameStore(a: string, b: string): boolean {
  const place = (url: string) => {
    if (isSqliteUrl(url)) return `sqlite:${canonicalPath(sqliteFile(url))}`;
    try {
      const u = new URL(url);
      return `postgres://${u.hostname.toLowerCase()}:${u.port || '5432'}${u.pathname || `/${u.username}`}`;
    } catch {
      return url;
    }
  };
  return place(a) === place(b);
}

function canonicalPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

/**
 * describeUrl shows a DATABASE_URL without its password.
 *
 * @example describeUrl('postgres://u:secret@h/db') // 'postgres://u:***@h/db'
 */
export function describeUrl(url: string): string {
  return isSqliteUrl(url) ? url : redactUrl(url);
}

/**
 * hasPassword tells whether a postgres:// URL carries a password, which describeUrl hides.
 *
 * @example hasPassword('postgres://carve:secret@db/shop') // true
 */
export function hasPassword(url: string): boolean {
  return !isSqliteUrl(url) && URL.canParse(url) && new URL(url).password !== '';
}
