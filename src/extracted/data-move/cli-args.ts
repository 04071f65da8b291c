import { parseArgs } from 'node:util';
import { UsageError } from './move-error.js';

/** CarveCommand is what the command line asked for. `from`/`to` are undefined where the monolith's store is meant. */
export type CarveCommand =
  | { command: 'help' }
  | {
      command: 'extract' | 'absorb';
      module: string;
      from: string | undefined;
      to: string | undefined;
      batch: number | undefined;
      allowEmpty: boolean;
    };

/**
 * carveHelp is the text of `npm run carve -- --help`.
 *
 * @example process.stdout.write(carveHelp(['catalog', 'orders']))
 */
export function carveHelp(modules: readonly string[]): string {
  return `Move one module's data between databases, with the monolith (and the module's service) stopped.

Usage:
  npm run carve -- extract <module> --to <DATABASE_URL> [--from <DATABASE_URL>]
  npm run carve -- absorb <module> --from <DATABASE_URL> [--to <DATABASE_URL>]

  extract  copies the module out of the monolith's store (DATABASE_URL, else DATA_DIR/<module>.db)
           into a database of its own, for \`npm run service -- <module>\`.
  absorb   copies it back from the service's database into the monolith's store.

Modules: ${modules.join(', ')}
DATABASE_URL: postgres://user:password@host:5432/db   the module's schema in that database
              sqlite:<path>                           the module's own SQLite file

Options:
  --from <url>       where the rows are now (extract: the monolith's store by default)
  --to <url>         where they go (absorb: the monolith's store by default)
  --batch-size <n>   rows per page and per insert (default 2000)
  --allow-empty      move a module that holds no rows (refused otherwise: usually a wrong URL)
  -h, --help         this text

It creates the module's tables at the target through its migrations, copies every table in
batches with a progress bar, then checks row counts and a checksum per table on both sides.
The source is never written to. Safe to run again: a second run resumes an interrupted copy,
or does nothing when the copy is complete. A target holding any row the source does not is
refused. When it is done it prints what the service and the monolith must be started with.

Exit codes: 0 done, 1 failed (nothing lost: fix the cause, run it again), 2 bad input, 130 interrupted.
`;
}

const URL_SHAPE = /^(postgres(ql)?:\/\/.+|sqlite:.+)$/;

/**
 * parseCarveArgs reads the command line; every mistake is a UsageError that says what to type instead.
 *
 * @example parseCarveArgs(['extract', 'catalog', '--to', 'postgres://db/shop'], ['catalog'])
 */
export function parseCarveArgs(argv: readonly string[], modules: readonly string[]): CarveCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. See --help.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  const [command, module, ...extra] = positionals;
  if (command !== 'extract' && command !== 'absorb') {
    throw new UsageError(
      command
        ? `Unknown command "${command}": expected extract or absorb. See --help.`
        : 'Missing command: extract or absorb. See --help.',
    );
  }
  if (!module) throw new UsageError(`Missing module: npm run carve -- ${command} <module>, one of ${modules.join(', ')}.`);
  if (!modules.includes(module)) throw new UsageError(`Unknown module "${module}": expected one of ${modules.join(', ')}.`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}". See --help.`);
  const required = command === 'extract' ? 'to' : 'from';
  if (!values[required]) {
    throw new UsageError(
      `Missing --${required} <DATABASE_URL>: where the ${module} data ${required === 'to' ? 'goes' : 'is now'}. See --help.`,
    );
  }
  for (const flag of ['from', 'to'] as const) {
    const url = values[flag];
    if (url !== undefined && !URL_SHAPE.test(url)) {
      throw new UsageError(`--${flag} ${JSON.stringify(url)} is not a DATABASE_URL: expected postgres://... or sqlite:<path>.`);
    }
  }
  const batch = values['batch-size'] === undefined ? undefined : Number(values['batch-size']);
  if (batch !== undefined && !(Number.isInteger(batch) && batch >= 1 && batch <= 50_000)) {
    throw new UsageError(`--batch-size must be a whole number from 1 to 50000 (got ${values['batch-size']}).`);
  }
  return { command, module, from: values.from, to: values.to, batch, allowEmpty: values['allow-empty'] ?? false };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      'batch-size': { type: 'string' },
      'allow-empty': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
