import { commonKind } from './column-values.js';
import type { TableShape } from './module-store.js';
import { MoveError } from './move-error.js';

/**
 * matchShapes checks that source and target hold the same tables, columns and primary
 * keys, and returns the shapes the copy uses: the source's column order, each column with
 * the kind both sides agree on. Both sides were migrated from the same migrations folder,
 * so a difference means one side was changed by hand or runs other code.
 *
 * @example const shapes = matchShapes('catalog', await source.tables(), await target.tables())
 */
export function matchShapes(module: string, source: TableShape[], target: TableShape[]): TableShape[] {
  const problems: string[] = [];
  const names = (tables: TableShape[]) => tables.map((t) => t.name).join(', ') || '(none)';
  if (names(source) !== names(target)) {
    problems.push(`tables differ: the source has ${names(source)}; the target has ${names(target)}`);
  }
  const shapes: TableShape[] = [];
  for (const from of source) {
    const to = target.find((t) => t.name === from.name);
    if (!to) continue;
    if (from.primaryKey.length === 0) problems.push(`${from.name} has no primary key, so it cannot be copied resumably`);
    if (from.primaryKey.join(',') !== to.primaryKey.join(',')) {
      problems.push(
        `${from.name}: primary key (${from.primaryKey.join(', ')}) in the source, (${to.primaryKey.join(', ')}) in the target`,
      );
    }
    const columns = [];
    for (const column of from.columns) {
      const other = to.columns.find((c) => c.name === column.name);
      const kind = other && commonKind(column.kind, other.kind);
      if (!other) problems.push(`${from.name}.${column.name} is missing in the target`);
      else if (!kind) problems.push(`${from.name}.${column.name} is ${column.kind} in the source, ${other.kind} in the target`);
      else columns.push({ name: column.name, kind });
    }
    for (const column of to.columns) {
      if (!from.columns.some((c) => c.name === column.name))
        problems.push(`${from.name}.${column.name} is missing in the source`);
    }
    shapes.push({ name: from.name, columns, primaryKey: from.primaryKey });
  }
  if (problems.length > 0) {
    throw new MoveError(
      `The ${module} tables in the source and the target do not match:\n  ${problems.join('\n  ')}\n` +
        'Both sides must be at the same migration; run carve from the same version of the code that wrote the source.',
    );
  }
  return shapes;
}
