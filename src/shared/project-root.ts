import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * PROJECT_ROOT is the folder holding package.json, found by walking up from this file.
 * The code runs from src/ under tsx and from a bundle in dist/ under `npm start`, so
 * files that ship beside the code (migrations, the admin page) are found from here,
 * never by counting `..` from where a module happens to sit.
 */
export const PROJECT_ROOT = findRoot(import.meta.dirname);

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No package.json above ${from}: Carve must run from its project folder`);
  }
}
