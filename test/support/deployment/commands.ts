import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RepoFacts } from './repo-facts.js';

// What a Carve container runs, and so which modules it hosts.

/** Command is what a container's argv starts: the monolith, one module's service, or nothing real. */
export type Command = { kind: 'monolith' } | { kind: 'service'; module: string } | { kind: 'invalid'; problem: string };

/**
 * bundles maps each file `npm run build` writes to the source it bundles, read from the
 * build script's esbuild arguments: "esbuild src/main.ts ... --outdir=dist" → dist/main.js ← src/main.ts.
 */
export function bundles(facts: RepoFacts): Map<string, string> {
  const words = facts.scripts.build?.split(/\s+/) ?? [];
  if (words[0] !== 'esbuild') return new Map();
  const entries = words.filter((w) => w.endsWith('.ts'));
  return new Map(entries.map((e) => [`${buildOutdir(facts)}/${e.split('/').pop()!.replace(/\.ts$/, '.js')}`, e]));
}

/** buildOutdir is the folder `npm run build` writes, never part of the repository. */
const buildOutdir = (facts: RepoFacts) =>
  facts.scripts.build?.split(/\s+/).find((w) => w.startsWith('--outdir='))?.slice('--outdir='.length) ?? 'dist';

/** scriptEntry is the source an npm script runs: "tsx src/main.ts" → src/main.ts, "node dist/main.js" → src/main.ts. */
function scriptEntry(script: string | undefined, built: Map<string, string>): string | undefined {
  const words = script?.split(/\s+/) ?? [];
  return words.find((w) => w.endsWith('.ts')) ?? built.get(words.find((w) => built.has(w)) ?? '');
}

/** A leading NAME=value word of an npm script: the shell sets it in the environment of the command after it. */
const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)$/;

/** splitScript parts an npm script's leading NAME=value words from the command they are set for. */
function splitScript(script: string | undefined): { assignments: string[]; command: string[] } {
  const words = script?.split(/\s+/) ?? [];
  const first = words.findIndex((w) => !ASSIGNMENT.test(w));
  const at = first === -1 ? words.length : first;
  return { assignments: words.slice(0, at), command: words.slice(at) };
}

/** scriptEnv is what an npm script sets in its command's environment: "A=1 node dist/main.js" → { A: '1' }. */
export function scriptEnv(script: string | undefined): Record<string, string> {
  return Object.fromEntries(splitScript(script).assignments.map((w) => ASSIGNMENT.exec(w)!.slice(1, 3)));
}

/** scriptCommand is the command an npm script runs, without the variables it sets: "A=1 node x.js" → ['node', 'x.js']. */
export function scriptCommand(script: string | undefined): string[] {
  return splitScript(script).command;
}

/** scriptNodeFlags is what an npm script passes to node itself: "node --a=1 dist/main.js" → ['--a=1']. */
export function scriptNodeFlags(script: string | undefined): string[] {
  const words = scriptCommand(script);
  if (words[0] !== 'node') return [];
  const flags: string[] = [];
  for (const word of words.slice(1)) {
    if (!word.startsWith('-')) break;
    flags.push(word);
  }
  return flags;
}

const IMPORT_FLAGS = new Set(['--import', '-r', '--require', '--loader', '--experimental-loader']);

/**
 * describeCommand follows an argv as the image would run it (through npm scripts, node's
 * --import) to the file it starts, and says whether that is the monolith or a module
 * service. The entry points are the files `npm start` and `npm run service` run.
 *
 * @example describeCommand(['node', '--import', 'tsx', 'src/extracted/service.ts', 'payments'], facts)
 */
export function describeCommand(argv: string[], facts: RepoFacts, viaNpm = false): Command {
  const invalid = (problem: string): Command => ({ kind: 'invalid', problem });
  const [first, ...rest] = argv[0] === 'docker-entrypoint.sh' ? argv.slice(1) : argv;
  if (first === undefined) return invalid('runs nothing');
  if (first === 'npm') {
    const [sub, ...more] = rest;
    const script = sub === 'start' ? 'start' : sub === 'run' || sub === 'run-script' ? more.shift() : undefined;
    if (script === undefined) return invalid(`runs "npm ${sub ?? ''}", which starts no npm script`);
    const text = facts.scripts[script];
    if (text === undefined) return invalid(`runs npm script "${script}", which package.json does not define`);
    const args = more[0] === '--' ? more.slice(1) : more;
    return describeCommand([...scriptCommand(text), ...args], facts, true);
  }
  const imports: string[] = [];
  /** node's own flags, such as --max-semi-space-size=8: the image must run Carve as `npm start` does. */
  const nodeFlags: string[] = [];
  let file: string | undefined;
  let args: string[] = [];
  if (first === 'tsx' || (first === 'npx' && rest[0] === 'tsx')) {
    if (!viaNpm && first === 'tsx') return invalid('runs tsx, which is not on the image PATH outside npm scripts; use node --import tsx');
    imports.push('tsx');
    const afterTsx = first === 'npx' ? rest.slice(1) : rest;
    [file, ...args] = afterTsx;
  } else if (first === 'node') {
    for (let i = 0; i < rest.length; i++) {
      const arg = rest[i]!;
      const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
      if (IMPORT_FLAGS.has(flag)) {
        const loaded = inline ?? rest[++i];
        if (loaded) imports.push(loaded);
      } else if (!arg.startsWith('-')) {
        file = arg;
        args = rest.slice(i + 1);
        break;
      } else {
        nodeFlags.push(arg);
      }
    }
  } else {
    return invalid(`runs "${argv.join(' ')}", which is neither node nor an npm script`);
  }
  for (const pkg of imports.filter((p) => !p.startsWith('.') && !p.startsWith('/'))) {
    const installed = facts.dockerfile.omitsDevDependencies ? facts.dependencies : undefined;
    if (installed && !installed.includes(pkg)) {
      return invalid(`loads ${pkg}, which is not a production dependency, and the image installs none other`);
    }
  }
  if (file === undefined) return invalid(`runs "${argv.join(' ')}", which names no file`);
  const built = bundles(facts);
  const ran = file.replace(/^\.\//, '');
  // A bundle is checked through its source, and the image must build it and keep it.
  const path = built.get(ran) ?? ran;
  if (!built.has(ran) && ran.startsWith(`${buildOutdir(facts)}/`)) return invalid(`runs ${ran}, which npm run build does not make`);
  if (built.has(ran)) {
    if (!facts.dockerfile.builds) return invalid(`runs ${ran}, which the image never builds (no RUN npm run build)`);
    const dir = ran.split('/')[0]!;
    if (!facts.dockerfile.builds.includes(dir)) return invalid(`runs ${ran}, but the image does not keep ${dir}/ from the stage that builds it`);
  }
  if (!existsSync(join(facts.root, path))) return invalid(`runs ${path}, which does not exist in the repository`);
  if (!facts.dockerfile.copies.some((c) => path === c.replace(/^\.\//, '') || path.startsWith(`${c.replace(/^\.\/|\/$/g, '')}/`))) {
    return invalid(`runs ${path}, which the Dockerfile does not copy into the image`);
  }
  const monolith = scriptEntry(facts.scripts.start, built);
  const service = scriptEntry(facts.scripts.service, built);
  // The bundle is how the image runs Carve: it must run it as the npm script does.
  if (first === 'node' && built.has(ran) && (path === monolith || path === service)) {
    const script = path === monolith ? 'start' : 'service';
    const missing = scriptNodeFlags(facts.scripts[script]).filter((f) => !nodeFlags.includes(f));
    if (missing.length > 0) return invalid(`runs ${path} without ${missing.join(' ')}, which npm ${script === 'start' ? 'start' : 'run service'} passes to node`);
  }
  if (path === monolith) {
    return args.length === 0 ? { kind: 'monolith' } : invalid(`passes "${args.join(' ')}" to ${path}, which takes no arguments`);
  }
  if (path === service) {
    const names = facts.modules.map((m) => m.name);
    const module = args[0];
    if (module === undefined || !names.includes(module)) {
      return invalid(`asks ${path} for module "${module ?? ''}"; the modules are ${names.join(', ')}`);
    }
    return { kind: 'service', module };
  }
  return invalid(`runs ${path}, which is neither the monolith (${monolith}) nor a module service (${service} <module>)`);
}
