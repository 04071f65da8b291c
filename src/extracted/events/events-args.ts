import { parseArgs } from 'node:util';
import { EventsUsageError } from './events-error.js';

/** STATUSES are the states a delivery or inbox entry can be in, as `--status` takes them. */
export const STATUSES = ['pending', 'dead', 'delivered', 'handled'] as const;
export type Status = (typeof STATUSES)[number];

/** Where to look: some modules in the monolith's stores, or one module at a database of its own. */
export interface EventsScope {
  modules: string[];
  /** `--database`: one module's own database (an extracted module's); undefined means the monolith's store. */
  database: string | undefined;
  json: boolean;
}

/** EventsCommand is what `carve events ...` asked for. */
export type EventsCommand =
  | { command: 'help' }
  | ({ command: 'list'; statuses: Status[]; limit: number } & EventsScope)
  | ({ command: 'retry'; ids: string[] } & EventsScope)
  | ({ command: 'retry-all' } & EventsScope);

const DEFAULT_LIMIT = 50;
const URL_SHAPE = /^(postgres(ql)?:\/\/.+|sqlite:.+)$/;
const MODULE_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * eventsHelp is the text of `npm run carve -- events --help`.
 *
 * @example process.stdout.write(eventsHelp(['catalog', 'orders']))
 */
export function eventsHelp(modules: readonly string[]): string {
  return `Inspect and resubmit events that have not been delivered or handled.

Usage:
  npm run carve -- events list [--status <s>] [--limit <n>] [--module <m>] [--json]
  npm run carve -- events retry <event-id> [<event-id>...] [--module <m>] [--json]
  npm run carve -- events retry-all [--module <m>] [--json]

  list       one line per outbox delivery ("deliver to <subscriber>") and per inbox entry
             ("handle"), the most recent last, then counts per module and status.
  retry      puts the dead or waiting deliveries and inbox entries of these events back in
             the queue now: status pending, attempts 0, their failure history kept. Delivered
             and handled ones are left alone, so nothing happens twice.
  retry-all  the same for every dead delivery and inbox entry.

A running process picks resubmitted events up within a second; a stopped one when it starts.

Options:
  --module <m>       only this module (repeat, or separate with commas); default all:
                     ${modules.join(', ')}
  --database <url>   the module's own database, for an extracted module (needs one --module):
                     postgres://user:password@host:5432/db or sqlite:<path>
                     default: the monolith's store, DATABASE_URL or DATA_DIR/<module>.db
  --status <s>       list only: pending, dead, delivered, handled or all (repeat, or commas);
                     default pending and dead, what needs attention
  --limit <n>        list only: show the n most recent (default ${DEFAULT_LIMIT})
  --json             machine-readable output, with every entry's full error history
  -h, --help         this text

Exit codes: 0 done, 1 an event id was not found, 2 bad input or a database that cannot be read.
`;
}

/**
 * parseEventsArgs reads the words after `carve events`; every mistake is an
 * EventsUsageError that says what to type instead.
 *
 * @example parseEventsArgs(['list', '--module', 'orders', '--status', 'dead'], ['orders'])
 */
export function parseEventsArgs(argv: readonly string[], modules: readonly string[]): EventsCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new EventsUsageError(`${(err as Error).message}. See events --help.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  const [command, ...rest] = positionals;
  if (command !== 'list' && command !== 'retry' && command !== 'retry-all') {
    throw new EventsUsageError(
      command ? `Unknown events command "${command}": expected list, retry or retry-all.` : 'Missing events command: list, retry or retry-all.',
    );
  }
  if (command !== 'list') {
    for (const flag of ['status', 'limit'] as const) {
      if (values[flag] !== undefined) throw new EventsUsageError(`--${flag} applies to events list only.`);
    }
  }
  const scope = parseScope(values, modules);
  if (command === 'retry') {
    if (rest.length === 0) throw new EventsUsageError('Missing event id: npm run carve -- events retry <event-id> [...], ids as events list shows them.');
    return { command, ids: [...new Set(rest)], ...scope };
  }
  if (rest.length > 0) throw new EventsUsageError(`Unexpected argument "${rest[0]}". See events --help.`);
  if (command === 'retry-all') return { command, ...scope };
  return { command, statuses: parseStatuses(values.status), limit: parseLimit(values.limit), ...scope };
}

function parseScope(values: ReturnType<typeof parse>['values'], known: readonly string[]): EventsScope {
  const asked = splitList(values.module);
  const database = values.database;
  for (const m of asked) {
    // At a --database of its own, a module may be any the app defines, not only the storefront's.
    if (database !== undefined && MODULE_NAME.test(m)) continue;
    if (!known.includes(m)) throw new EventsUsageError(`Unknown module "${m}": expected one of ${known.join(', ')}.`);
  }
  const modules = asked.length === 0 ? [...known] : database !== undefined ? asked : known.filter((m) => asked.includes(m));
  if (database !== undefined) {
    if (asked.length !== 1) throw new EventsUsageError('--database is one module\'s own database: say which with exactly one --module.');
    if (!URL_SHAPE.test(database)) {
      throw new EventsUsageError(`--database ${JSON.stringify(database)} is not a DATABASE_URL: expected postgres://... or sqlite:<path>.`);
    }
  }
  return { modules, database, json: values.json ?? false };
}

function parseStatuses(given: string[] | undefined): Status[] {
  const words = splitList(given);
  if (words.length === 0) return ['pending', 'dead'];
  if (words.includes('all')) return [...STATUSES];
  for (const w of words) {
    if (!(STATUSES as readonly string[]).includes(w)) {
      throw new EventsUsageError(`Unknown status "${w}": expected ${STATUSES.join(', ')} or all.`);
    }
  }
  return STATUSES.filter((s) => words.includes(s));
}

function parseLimit(given: string | undefined): number {
  if (given === undefined) return DEFAULT_LIMIT;
  const limit = Number(given);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 10_000)) {
    throw new EventsUsageError(`--limit must be a whole number from 1 to 10000 (got ${given}).`);
  }
  return limit;
}

const splitList = (given: string[] | undefined) => [...new Set((given ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      module: { type: 'string', multiple: true },
      database: { type: 'string' },
      status: { type: 'string', multiple: true },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
