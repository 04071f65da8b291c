import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

/**
 * boundLimits finds drizzle `.limit(...)` calls that would bind the limit as a parameter.
 * On SQLite such a statement is prepared again on every run (see literalLimit), so a
 * query's LIMIT goes through literalLimit.
 */
function boundLimits(source: string): string[] {
  const found: string[] = [];
  for (const [i, line] of source.split('\n').entries()) {
    for (const call of line.matchAll(/\.limit\(([^)]*)/g)) {
      if (!call[1]!.trimStart().startsWith('literalLimit(')) found.push(`${i + 1}: ${line.trim()}`);
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts'))
    .map((e) => join(e.parentPath, e.name));
}

describe('query limits', () => {
  it('every LIMIT in src/ is written into the SQL, none bound', () => {
    const offenders = sourceFiles(SRC).flatMap((file) =>
      boundLimits(readFileSync(file, 'utf8')).map((hit) => `${relative(ROOT, file)}:${hit}`),
    );
    expect(offenders, 'wrap each limit in literalLimit() from src/shared/db/literal-limit.ts').toEqual([]);
  });

  it('catches a bound limit and passes a literal one', () => {
    const planted = [
      'q.select().from(t).orderBy(asc(t.seq)).limit(BATCH);',
      'q.select().from(t).limit(literalLimit(BATCH));',
      '  .limit( opts.limit )',
      '  .limit(literalLimit(opts.limit))',
    ].join('\n');
    expect(boundLimits(planted)).toEqual(['1: q.select().from(t).orderBy(asc(t.seq)).limit(BATCH);', '3: .limit( opts.limit )']);
  });
});
