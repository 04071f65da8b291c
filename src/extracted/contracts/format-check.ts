import { type Cell, GREEN, RED, textTable } from '../events/text-table.js';
import type { CheckReport, ModuleCheck } from './check-contracts.js';

const SNAPSHOT = 'npm run carve -- contracts snapshot';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** verdict is the closing sentence for one module that changed. */
function verdict(m: ModuleCheck): string {
  const compatible = m.changes.length - m.breaking;
  if (m.breaking === 0) {
    return `${m.module}: ${plural(compatible, 'compatible change')}. Run \`${SNAPSHOT}\` to record ${compatible === 1 ? 'it' : 'them'}.`;
  }
  if (m.allowedByVersionRaise) {
    return (
      `${m.module}: ${plural(m.breaking, 'breaking change')}, allowed by the version raise ${m.snapshotVersion} -> ${m.codeVersion}: ` +
      `callers built on version ${m.snapshotVersion} are refused with 409 CONTRACT_VERSION_MISMATCH until they are redeployed. ` +
      `Run \`${SNAPSHOT}\` to record version ${m.codeVersion}.`
    );
  }
  return (
    `${m.module}: ${plural(m.breaking, 'breaking change')} without a version raise. Either revert ${m.breaking === 1 ? 'it' : 'them'}, ` +
    `or raise \`version\` in src/modules/${m.module}/contract.ts (${m.codeVersion} -> ${m.snapshotVersion + 1}) ` +
    `and run \`${SNAPSHOT}\`.`
  );
}

/**
 * formatCheck writes a check report for a terminal: one line per change (module, method
 * or event, path in the schema, what changed, compatible or breaking), then what to do
 * about each module that changed.
 *
 * @example process.stdout.write(formatCheck(await checkContracts(MODULE_CONTRACTS, 'contracts'), { colour: false }))
 */
export function formatCheck(report: CheckReport, { colour }: { colour: boolean }): string {
  const changed = report.modules.filter((m) => m.changes.length > 0);
  const names = report.modules.map((m) => m.module).join(', ');
  if (changed.length === 0) return `No contract changes: ${names} match their snapshots.\n`;
  const header: Cell[] = ['MODULE', 'WHERE', 'PATH', 'CHANGE', 'VERDICT'].map((text) => ({ text }));
  const rows = changed.flatMap((m) =>
    m.changes.map((c): Cell[] => [
      { text: c.module },
      { text: c.subject },
      { text: c.path || '-' },
      { text: c.change },
      c.breaking ? { text: 'breaking', colour: RED } : { text: 'compatible', colour: GREEN },
    ]),
  );
  return `${textTable([header, ...rows], { colour })}\n\n${changed.map(verdict).join('\n')}\n`;
}
