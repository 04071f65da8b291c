import type { AnyContract } from '../../shared/contract/define-contract.js';
import { checkContracts } from './check-contracts.js';
import { ContractsUsageError, contractsHelp, parseContractsArgs } from './contracts-args.js';
import { formatCheck } from './format-check.js';
import { DEFAULT_SNAPSHOT_DIR, MODULE_CONTRACTS } from './module-contracts.js';
import { SnapshotUnreadable, writeSnapshots } from './snapshot-files.js';

export interface ContractsIo {
  /** The words after `carve contracts`. */
  argv: readonly string[];
  env: Record<string, string | undefined>;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  /** The contracts to snapshot and check; every module's by default. */
  contracts?: readonly AnyContract[];
}

/** Exit codes, as contracts --help lists them. */
export const CONTRACTS_EXIT = { ok: 0, breaking: 1, usage: 2 } as const;

/**
 * runContracts is `npm run carve -- contracts snapshot|check`: it writes the contract
 * snapshots, or checks the code against them and fails on a breaking change that comes
 * without a version raise. Results go to stdout, errors to stderr; it returns the exit code.
 *
 * @example process.exitCode = await runContracts({ argv: ['check'], env: process.env, stdout, stderr })
 */
export async function runContracts(io: ContractsIo): Promise<number> {
  const fail = (text: string) => io.stderr.write(`carve: ${text}\n`);
  const contracts = io.contracts ?? MODULE_CONTRACTS;
  try {
    const args = parseContractsArgs(io.argv, DEFAULT_SNAPSHOT_DIR);
    if (args.command === 'help') {
      io.stdout.write(contractsHelp(DEFAULT_SNAPSHOT_DIR));
      return CONTRACTS_EXIT.ok;
    }
    if (args.command === 'snapshot') {
      const written = await writeSnapshots(contracts, args.dir);
      if (args.json) io.stdout.write(`${JSON.stringify({ written }, null, 2)}\n`);
      else io.stdout.write(`Wrote ${written.join(', ')}.\n`);
      return CONTRACTS_EXIT.ok;
    }
    const report = await checkContracts(contracts, args.dir);
    if (args.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout.write(formatCheck(report, { colour: io.stdout.isTTY === true && !io.env.NO_COLOR }));
    return report.ok ? CONTRACTS_EXIT.ok : CONTRACTS_EXIT.breaking;
  } catch (err) {
    if (err instanceof ContractsUsageError) {
      fail(err.message);
      io.stderr.write(`\n${contractsHelp(DEFAULT_SNAPSHOT_DIR)}`);
      return CONTRACTS_EXIT.usage;
    }
    if (err instanceof SnapshotUnreadable) {
      fail(err.message);
      return CONTRACTS_EXIT.usage;
    }
    throw err;
  }
}
