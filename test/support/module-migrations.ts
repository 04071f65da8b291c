import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationsFolder } from '../../src/shared/db/open-module-db.js';

/**
 * sqliteMigrations writes a drizzle-kit style migrations folder under `dir` for a module
 * a test defines itself: the event tables every module's migrations create (outbox,
 * deliveries, inbox, taken from notifications' own migrations), then the test's `tables`.
 * Give its path to `defineModule({ migrations: () => folder, ... })`.
 *
 * @example const folder = sqliteMigrations(dataDir, 'tracking', 'CREATE TABLE tracking_log (event_id text NOT NULL)')
 */
export function sqliteMigrations(dir: string, module: string, tables = ''): string {
  const folder = join(dir, 'migrations', module);
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const events = ['0001_events.sql', '0002_trace_context.sql']
    .map((file) => readFileSync(join(migrationsFolder('notifications', 'sqlite'), file), 'utf8'))
    .join('--> statement-breakpoint\n');
  const sql = tables ? `${events}--> statement-breakpoint\n${tables}` : events;
  writeFileSync(join(folder, '0000_init.sql'), sql);
  const journal = { version: '7', dialect: 'sqlite', entries: [{ idx: 0, version: '6', when: Date.now(), tag: '0000_init', breakpoints: true }] };
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  return folder;
}
