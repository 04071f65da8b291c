import { ConfigError, loadConfig } from '../../shared/config/config.js';
import { moduleDatabaseUrl } from '../../shared/db/open-module-db.js';
import { runContracts } from '../contracts/contracts-command.js';
import { runEvents } from '../events/events-command.js';
import { runGraph } from '../graph/graph-command.js';
import { carveHelp, parseCarveArgs } from './cli-args.js';
import { formatReport } from './format-report.js';
import { MoveError, MoveInterrupted, UsageError } from './move-error.js';
import { moveModule } from './move-module.js';
import { type ModuleCalls, nextSteps } from './next-steps.js';
import { createProgressReporter } from './progress-reporter.js';
import { describeUrl } from './store-url.js';

export interface CarveIo {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** The modules carve may move. */
  modules: readonly string[];
  /**
   * Every module with the modules it calls, for the next steps. A function, because it
   * loads every module's code, which takes seconds that --help and bad input should not pay.
   */
  moduleCalls: () => Promise<readonly ModuleCalls[]>;
  /** Aborted on Ctrl-C: the copy stops after the batch in flight. */
  signal?: AbortSignal;
}

/** Exit codes, as --help lists them. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/**
 * runCarve is `npm run carve`: it reads the command line and the monolith's environment,
 * moves the module, prints the proof and the next steps, and returns the exit code.
 * Report and next steps go to stdout; progress and errors to stderr. `carve events ...`
 * is the events command's own (../events), and `carve contracts ...` the contracts
 * command's (../contracts), each handed over whole.
 *
 * @example process.exitCode = await runCarve({ argv: process.argv.slice(2), env: process.env, stdout, stderr, modules, moduleCalls })
 */
export async function runCarve(io: CarveIo): Promise<number> {
  const say = (text: string) => io.stdout.write(text);
  const fail = (text: string) => io.stderr.write(`carve: ${text}\n`);
  if (io.argv[0] === 'events') return runEvents({ ...io, argv: io.argv.slice(1) });
  if (io.argv[0] === 'graph') return runGraph({ ...io, argv: io.argv.slice(1) });
  if (io.argv[0] === 'contracts') return runContracts({ ...io, argv: io.argv.slice(1) });
  try {
    const args = parseCarveArgs(io.argv, io.modules);
    if (args.command === 'help') {
      say(carveHelp(io.modules));
      say('\nFailed events: npm run carve -- events list|retry|retry-all (see events --help).\n');
      say('Architecture: npm run carve -- graph [--check] writes docs/architecture.md from the code.\n');
      say('Contract safety: npm run carve -- contracts snapshot|check (see contracts --help).\n');
      return EXIT.ok;
    }
    const config = loadConfig(io.env);
    const monolith = moduleDatabaseUrl(args.module, config);
    const from = args.from ?? monolith;
    const to = args.to ?? monolith;
    say(`${args.command} ${args.module}: ${describeUrl(from)} -> ${describeUrl(to)}\n`);
    const report = await moveModule({
      module: args.module,
      from,
      to,
      batch: args.batch,
      allowEmpty: args.allowEmpty,
      progress: createProgressReporter(io.stderr),
      signal: io.signal,
    });
    say(formatReport(report));
    const modules = await io.moduleCalls();
    say(`\n${nextSteps({ command: args.command, module: args.module, from, to, modules, config })}`);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      fail(err.message);
      return EXIT.usage;
    }
    if (err instanceof MoveInterrupted) {
      fail(`${err.message} Run the same command again to resume.`);
      return EXIT.interrupted;
    }
    if (err instanceof MoveError) {
      fail(err.message);
      return EXIT.failed;
    }
    // Not an error we foresaw: show all of it. Every batch already written is committed.
    fail(`the move failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    fail('Nothing was lost: fix the cause and run the same command again to resume.');
    return EXIT.failed;
  }
}
