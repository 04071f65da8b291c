import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnyContract } from '../../shared/contract/define-contract.js';
import { ContractSnapshot, snapshotContract } from './snapshot-contract.js';
import { stableJson } from './stable-json.js';

/**
 * SnapshotUnreadable is a snapshot file that is missing or not a snapshot: the check has
 * nothing to compare with. Its message says which file and the command that writes it.
 */
export class SnapshotUnreadable extends Error {
  override readonly name = 'SnapshotUnreadable';
}

export const snapshotPath = (dir: string, module: string) => join(dir, `${module}.json`);

/**
 * writeSnapshots writes every contract's snapshot into `dir`, one `<module>.json` each,
 * and returns the paths written.
 *
 * @example await writeSnapshots(MODULE_CONTRACTS, 'contracts')
 */
export async function writeSnapshots(contracts: readonly AnyContract[], dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const contract of contracts) {
    const path = snapshotPath(dir, contract.name);
    await writeFile(path, stableJson(snapshotContract(contract)));
    written.push(path);
  }
  return written;
}

/**
 * readSnapshot reads one module's snapshot from `dir`.
 *
 * @example const was = await readSnapshot('contracts', 'orders')
 */
export async function readSnapshot(dir: string, module: string): Promise<ContractSnapshot> {
  const path = snapshotPath(dir, module);
  const write = 'npm run carve -- contracts snapshot';
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new SnapshotUnreadable(
      missing ? `No snapshot of the ${module} contract at ${path}: write one with \`${write}\` and commit it.` : `Cannot read ${path}: ${(err as Error).message}`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SnapshotUnreadable(`${path} is not JSON: restore it from version control, or rewrite it with \`${write}\`.`);
  }
  const parsed = ContractSnapshot.safeParse(json);
  if (!parsed.success || parsed.data.module !== module) {
    throw new SnapshotUnreadable(`${path} is not a snapshot of the ${module} contract: restore it from version control, or rewrite it with \`${write}\`.`);
  }
  return parsed.data;
}
