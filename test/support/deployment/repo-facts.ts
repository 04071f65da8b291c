import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_MODULES } from '../../../src/composition-root.js';
import type { CarveModule } from '../../../src/shared/di/define-module.js';
import { type Dockerfile, parseDockerfile } from './dockerfile.js';
import type { Obj } from './values.js';

/** RepoFacts is everything a deployment file is checked against. Tests pass altered copies. */
export interface RepoFacts {
  root: string;
  scripts: Record<string, string>;
  dependencies: string[];
  modules: readonly CarveModule[];
  dockerfile: Dockerfile;
  dockerignore: string[];
}

/**
 * loadRepoFacts reads package.json, the Dockerfile, .dockerignore and the module list.
 *
 * @example const facts = loadRepoFacts(join(import.meta.dirname, '../..'))
 */
export function loadRepoFacts(root: string): RepoFacts {
  const read = (file: string) => readFileSync(join(root, file), 'utf8');
  const pkg = JSON.parse(read('package.json')) as { scripts?: Record<string, string>; dependencies?: Obj };
  return {
    root,
    scripts: pkg.scripts ?? {},
    dependencies: Object.keys(pkg.dependencies ?? {}),
    modules: ALL_MODULES,
    dockerfile: parseDockerfile(read('Dockerfile')),
    dockerignore: read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#')),
  };
}
