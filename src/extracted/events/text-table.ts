/** Cell is one table cell: its text, right-aligned if `right`, and the ANSI colour code to paint it with on a terminal. */
export interface Cell {
  text: string;
  right?: boolean;
  colour?: number;
}

export const RED = 31;
export const GREEN = 32;
export const YELLOW = 33;
export const DIM = 2;

/**
 * textTable lays rows out in columns two spaces apart, the first row being the header.
 * Cells are padded before they are painted, so colours never throw the columns out, and
 * nothing is painted unless `colour` is on: piped or logged output stays plain text.
 *
 * @example textTable([[{ text: 'module' }], [{ text: 'orders' }]], { colour: false, indent: '  ' })
 */
export function textTable(rows: readonly (readonly Cell[])[], { colour, indent = '' }: { colour: boolean; indent?: string }): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.text.length);
  }
  const lines = rows.map((row, r) =>
    row
      .map((cell, i) => {
        // The last column is not padded, so lines carry no trailing spaces.
        const padded = i === row.length - 1 && !cell.right ? cell.text : cell.right ? cell.text.padStart(widths[i]!) : cell.text.padEnd(widths[i]!);
        const code = r === 0 ? DIM : cell.colour;
        return colour && code !== undefined ? paint(padded, code) : padded;
      })
      .join('  '),
  );
  return lines.map((line) => `${indent}${line}`).join('\n');
}

/** paint wraps text in an ANSI colour. */
export const paint = (text: string, code: number) => `\x1b[${code}m${text}\x1b[0m`;

/**
 * formatAge writes a duration the way an operator reads an age: the largest whole unit.
 *
 * @example formatAge(90_000) // '1m'
 */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
