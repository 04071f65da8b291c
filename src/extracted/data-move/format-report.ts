import type { MoveReport } from './move-module.js';

/**
 * formatReport writes what a move did and the proof that it is complete: per table, the
 * row counts and checksums on both sides, then the rate the copy reached.
 *
 * @example process.stdout.write(formatReport(await moveModule(options)))
 */
export function formatReport(report: MoveReport): string {
  const width = Math.max(5, ...report.tables.map((t) => t.name.length));
  const header = `  ${'table'.padEnd(width)}  ${'source rows'.padStart(11)}  ${'target rows'.padStart(11)}  checksum (source = target)`;
  const rows = report.tables.map((t) => {
    const ok = t.source.rows === t.target.rows && t.source.checksum === t.target.checksum;
    const sum = ok ? `${t.source.checksum}  ok` : `${t.source.checksum} != ${t.target.checksum}  MISMATCH`;
    return `  ${t.name.padEnd(width)}  ${String(t.source.rows).padStart(11)}  ${String(t.target.rows).padStart(11)}  ${sum}`;
  });
  const inserted = report.tables.reduce((n, t) => n + t.inserted, 0);
  const rate = report.seconds > 0 ? Math.round(report.sent / report.seconds) : 0;
  const summary =
    report.outcome === 'complete'
      ? 'Nothing to copy: the target already holds every row of the source.'
      : `Copied ${report.sent} rows in ${report.seconds.toFixed(2)} s: ${rate} rows/s` +
        (report.outcome === 'resumed'
          ? ` (resumed: ${inserted} new, ${report.sent - inserted} already there from an earlier run).`
          : '.');
  return [`Verified ${report.module}: row counts and checksums match for every table.`, header, ...rows, summary, ''].join('\n');
}
