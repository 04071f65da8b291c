import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENV_VARIABLES } from '../../src/shared/config/config.js';

/** documentedVariables reads the first column of the README's configuration table. */
function documentedVariables(readme: string): string[] {
  const section = readme.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)` \|/gm)].map((m) => m[1]!);
}

describe('the README configuration table', () => {
  it('lists exactly the variables the config schema reads', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    expect(documentedVariables(readme).sort()).toEqual([...ENV_VARIABLES].sort());
  });

  it('would notice a variable missing from the table', () => {
    const table = '## Configuration\n| `PORT` | 3000 | x |\n## Next';
    expect(documentedVariables(table)).toEqual(['PORT']);
    expect(documentedVariables(table).sort()).not.toEqual([...ENV_VARIABLES].sort());
  });
});
