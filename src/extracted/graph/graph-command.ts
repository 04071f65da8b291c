import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CarveModule } from '../../shared/di/define-module.js';
import { GRAPH_COMMAND, renderArchitecture } from './architecture-doc.js';

/** Where the document lives: docs/architecture.md at the root of the repository. */
export const ARCHITECTURE_FILE = join(import.meta.dirname, '../../../docs/architecture.md');

export interface GraphIo {
  argv: readonly string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Every module; by default the composition root's, loaded only when the command runs. */
  loadModules?: () => Promise<readonly CarveModule[]>;
  file?: string;
}

const allModules = async () => (await import('../../composition-root.js')).ALL_MODULES;

/**
 * runGraph is `npm run carve -- graph`: it writes docs/architecture.md from the code, or
 * with `--check` only says whether the file is current, and returns the exit code:
 * 0 written or current, 1 stale, 2 bad arguments.
 *
 * @example process.exitCode = await runGraph({ argv: ['--check'], stdout, stderr })
 */
export async function runGraph({ argv, stdout, stderr, loadModules = allModules, file = ARCHITECTURE_FILE }: GraphIo): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (argv.includes('--help') || unknown.length > 0) {
    const help = `Usage: ${GRAPH_COMMAND} [--check]\n  Writes docs/architecture.md from the modules and their contracts.\n  --check  write nothing; exit 1 if the file is not what the code generates\n`;
    (unknown.length > 0 && !argv.includes('--help') ? stderr : stdout).write(help);
    return argv.includes('--help') ? 0 : 2;
  }
  const doc = renderArchitecture(await loadModules());
  const shown = relative(process.cwd(), file);
  if (argv.includes('--check')) {
    if (existsSync(file) && readFileSync(file, 'utf8') === doc) {
      stdout.write(`${shown} is up to date.\n`);
      return 0;
    }
    stderr.write(`carve: ${shown} is out of date with the code. Run \`${GRAPH_COMMAND}\` and commit the result.\n`);
    return 1;
  }
  writeFileSync(file, doc);
  stdout.write(`Wrote ${shown}.\n`);
  return 0;
}
