import type { AnyContract } from '../../shared/contract/define-contract.js';
import { type ContractChange, compareContracts } from './contract-diff.js';
import { snapshotContract } from './snapshot-contract.js';
import { readSnapshot } from './snapshot-files.js';

/** ModuleCheck is what `contracts check` found for one module. */
export interface ModuleCheck {
  module: string;
  snapshotVersion: number;
  codeVersion: number;
  changes: ContractChange[];
  breaking: number;
  /** Its breaking changes come with a raised `version`: callers on the old one are refused, not misled. */
  allowedByVersionRaise: boolean;
}

export interface CheckReport {
  modules: ModuleCheck[];
  /** No breaking change, or every one in a contract whose version was raised. */
  ok: boolean;
}

/**
 * checkContracts compares every contract in code with its snapshot in `dir`. A missing
 * or unreadable snapshot throws SnapshotUnreadable.
 *
 * @example const report = await checkContracts(MODULE_CONTRACTS, 'contracts'); process.exitCode = report.ok ? 0 : 1
 */
export async function checkContracts(contracts: readonly AnyContract[], dir: string): Promise<CheckReport> {
  const modules: ModuleCheck[] = [];
  for (const contract of contracts) {
    const was = await readSnapshot(dir, contract.name);
    const changes = compareContracts(was, snapshotContract(contract));
    const breaking = changes.filter((c) => c.breaking).length;
    modules.push({
      module: contract.name,
      snapshotVersion: was.version,
      codeVersion: contract.version,
      changes,
      breaking,
      allowedByVersionRaise: breaking > 0 && contract.version > was.version,
    });
  }
  return { modules, ok: modules.every((m) => m.breaking === 0 || m.allowedByVersionRaise) };
}
