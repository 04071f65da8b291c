import { parseArgs } from 'node:util';

/** ContractsUsageError is bad input on the command line: the CLI prints it with the usage and exits 2. */
export class ContractsUsageError extends Error {
  override readonly name = 'ContractsUsageError';
}

/** ContractsCommand is what `carve contracts ...` asked for. */
export type ContractsCommand = { command: 'help' } | { command: 'snapshot' | 'check'; dir: string; json: boolean };

/**
 * contractsHelp is the text of `npm run carve -- contracts --help`, also printed after bad input.
 *
 * @example process.stdout.write(contractsHelp('contracts'))
 */
export function contractsHelp(defaultDir: string): string {
  return `Keep module contracts compatible with the callers built against them.

Usage:
  npm run carve -- contracts snapshot [--dir <path>] [--json]
  npm run carve -- contracts check [--dir <path>] [--json]

  snapshot  writes each contract (its version, every method's input and output JSON Schema,
            errors and retry safety, every event's payload) to <dir>/<module>.json. Commit them.
  check     compares the contracts in code with those files, one line per change, each
            compatible or breaking for callers built against the snapshot.

A breaking change passes only in a contract whose \`version\` is raised above the snapshot's:
callers on the old version are then refused (409 CONTRACT_VERSION_MISMATCH), never misread.

Options:
  --dir <path>   where the snapshots are (default ${defaultDir})
  --json         machine-readable output
  -h, --help     this text

Exit codes: 0 no breaking change (or each allowed by a version raise), 1 a breaking change
without a version raise, 2 bad input or a snapshot missing or unreadable.
`;
}

/**
 * parseContractsArgs reads the words after `carve contracts`.
 *
 * @example parseContractsArgs(['check', '--dir', '/tmp/snap'], 'contracts')
 */
export function parseContractsArgs(argv: readonly string[], defaultDir: string): ContractsCommand {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new ContractsUsageError(`${(err as Error).message}.`);
  }
  const { values, positionals } = parsed;
  if (values.help) return { command: 'help' };
  const [command, ...rest] = positionals;
  if (command !== 'snapshot' && command !== 'check') {
    throw new ContractsUsageError(command ? `Unknown contracts command "${command}": expected snapshot or check.` : 'Missing contracts command: snapshot or check.');
  }
  if (rest.length > 0) throw new ContractsUsageError(`Unexpected argument "${rest[0]}".`);
  if (values.dir === '') throw new ContractsUsageError('--dir needs a path.');
  return { command, dir: values.dir ?? defaultDir, json: values.json ?? false };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { dir: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
}
