import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../shared/config/config.js';
import type { ModuleDb } from '../../shared/db/module-db.js';
import { literalLimit } from '../../shared/db/literal-limit.js';
import { moduleDatabaseUrl, openDatabaseUrl } from '../../shared/db/open-module-db.js';
import { redactUrl } from '../../shared/db/postgres-db.js';
import { type EventTables, eventTables } from '../../shared/events/event-tables.js';
import type { EventsScope } from './events-args.js';
import { EventsUnavailable, EventsUsageError } from './events-error.js';

/** EventStore is one module's database as the events command sees it: the handle and its event tables. */
export interface EventStore {
  module: string;
  db: ModuleDb;
  t: EventTables;
  /** Where it is, safe to print (no password). */
  where: string;
}

/**
 * openEventStores opens the databases of the modules in scope, where the monolith keeps
 * them (DATABASE_URL, else DATA_DIR/<module>.db) or at `--database`, and checks each can
 * be read and holds the event tables. It never creates or migrates anything: an operator
 * tool pointed at the wrong place must say so rather than leave an empty database there.
 * Every store is open, or none is, so a command never half-runs over the modules.
 *
 * @example const stores = await openEventStores({ modules: ['orders'], database: undefined }, process.env)
 */
export async function openEventStores(scope: Pick<EventsScope, 'modules' | 'database'>, env: Record<string, string | undefined>): Promise<EventStore[]> {
  const urls = databaseUrls(scope, env);
  const stores: EventStore[] = [];
  try {
    for (const [module, url] of urls) stores.push(await openStore(module, url));
    return stores;
  } catch (err) {
    await closeEventStores(stores);
    throw err;
  }
}

/** closeEventStores closes every handle openEventStores gave. */
export async function closeEventStores(stores: readonly EventStore[]): Promise<void> {
  await Promise.all(stores.map((s) => s.db.close().catch(() => {})));
}

function databaseUrls({ modules, database }: Pick<EventsScope, 'modules' | 'database'>, env: Record<string, string | undefined>): [string, string][] {
  if (database !== undefined) return modules.map((m) => [m, database]);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const [head, ...problems] = err.message.split('\n');
    throw new EventsUsageError(`${head} ${problems.map((p) => p.trim()).join('; ')}`);
  }
  // A sqlite: DATABASE_URL is one module's file; reading it as every module would count each event five times.
  if (config.DATABASE_URL?.startsWith('sqlite:') && modules.length > 1) {
    throw new EventsUsageError('DATABASE_URL is a sqlite: file, which holds one module: say which with --module.');
  }
  return modules.map((m) => [m, moduleDatabaseUrl(m, config)]);
}

async function openStore(module: string, url: string): Promise<EventStore> {
  const sqliteFile = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : undefined;
  const where = sqliteFile ?? `${redactUrl(url)} (schema ${module})`;
  if (sqliteFile !== undefined && !existsSync(sqliteFile)) {
    throw new EventsUnavailable(`the ${module} database ${sqliteFile} does not exist: check DATA_DIR or --database.`);
  }
  let db: ModuleDb;
  try {
    db = openDatabaseUrl(module, url, 1);
  } catch (err) {
    throw new EventsUnavailable(`cannot open the ${module} database ${where}: ${rootMessage(err)}`);
  }
  const t = eventTables(db.dialect);
  try {
    await db.read(async (q) => {
      for (const table of [t.carveOutbox, t.carveOutboxDelivery, t.carveInbox]) await q.select().from(table).limit(literalLimit(0));
    });
  } catch (err) {
    await db.close().catch(() => {});
    if (isMissingTable(err)) {
      throw new EventsUnavailable(`the ${module} database ${where} has no event tables yet: start the app (or the module's service) once so it migrates.`);
    }
    throw new EventsUnavailable(`cannot read the ${module} database ${where}: ${rootMessage(err)}`);
  }
  return { module, db, t, where };
}

const causes = (err: unknown): Error[] => {
  const chain: Error[] = [];
  for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(e);
  return chain;
};

/** SQLite says "no such table"; Postgres answers 42P01, also when the module's schema is missing altogether. */
const isMissingTable = (err: unknown) =>
  causes(err).some((e) => (e as { code?: unknown }).code === '42P01' || /no such table/.test(e.message));

/**
 * rootMessage is the driver's own words on one line, not drizzle's "Failed query: ..." wrapper around them.
 *
 * @example fail(`cannot read: ${rootMessage(err)}`)
 */
export const rootMessage = (err: unknown) => (causes(err).at(-1)?.message ?? String(err)).replace(/\s*\n\s*/g, ' ');
