// Generates each module's migrations, per dialect, from its table definitions with drizzle-kit.
// Usage: npm run db:generate [-- <module> [name]]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const only = process.argv[2];
const name = process.argv[3];
const dialects = [
  { dir: 'sqlite', kit: 'sqlite', file: 'tables.sqlite.ts' },
  { dir: 'postgres', kit: 'postgresql', file: 'tables.postgres.ts' },
] as const;

for (const module of readdirSync(join(root, 'src/modules'))) {
  if (only && module !== only) continue;
  for (const d of dialects) {
    const schema = join('src/modules', module, `${module}.${d.file}`);
    if (!existsSync(join(root, schema))) continue;
    const args = ['drizzle-kit', 'generate', `--dialect=${d.kit}`, `--schema=./${schema}`, `--out=./migrations/${module}/${d.dir}`];
    if (name) args.push(`--name=${name}`);
    console.warn(`${module} (${d.dir}):`);
    execFileSync('npx', args, { cwd: root, stdio: 'inherit' });
  }
}
