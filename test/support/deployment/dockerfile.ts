import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigSchema, ENV_VARIABLES } from '../../../src/shared/config/config.js';
import { describeCommand, scriptEnv } from './commands.js';
import type { RepoFacts } from './repo-facts.js';

/** Dockerfile is what the checks need from the Dockerfile: its final stage, and what it copies. */
export interface Dockerfile {
  env: Record<string, string>;
  cmd: string[] | undefined;
  user: string | undefined;
  expose: number[];
  volumes: string[];
  /** Sources of every COPY from the build context (not --from another stage). */
  copies: string[];
  /** Whether node_modules is installed without devDependencies. */
  omitsDevDependencies: boolean;
  /**
   * Where `npm run build` runs, what the final stage holds of its output: the folders it
   * copies from the building stage, or `['*']` if the final stage builds itself.
   * Undefined if no stage builds.
   */
  builds: string[] | undefined;
}

/**
 * parseDockerfile reads the instructions the checks care about. Continuation lines are
 * joined and comments dropped; ENV, CMD, USER, EXPOSE and VOLUME are the final stage's.
 *
 * @example parseDockerfile('FROM node:20\nCMD ["node", "src/main.ts"]').cmd // ['node', 'src/main.ts']
 */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n');
  const out: Dockerfile = { env: {}, cmd: undefined, user: undefined, expose: [], volumes: [], copies: [], omitsDevDependencies: false, builds: undefined };
  let stage = '';
  let buildStage: string | undefined;
  let kept: string[] = [];
  const words = (rest: string): string[] => (rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/).filter(Boolean));
  for (const line of lines) {
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const instruction = match[1]!.toUpperCase();
    const rest = match[2]!.trim();
    if (instruction === 'FROM') {
      Object.assign(out, { env: {}, cmd: undefined, user: undefined, expose: [], volumes: [] });
      stage = /\bAS\s+(\S+)/i.exec(rest)?.[1] ?? '';
      kept = [];
    }
    if (instruction === 'RUN' && /\bnpm run build\b/.test(rest)) {
      buildStage = stage;
      kept = ['*'];
    }
    if (instruction === 'ENV') {
      if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(rest)) {
        for (const m of rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|\S*)/g)) out.env[m[1]!] = m[3] ?? m[2]!;
      } else {
        const [name, ...value] = rest.split(/\s+/);
        out.env[name!] = value.join(' ');
      }
    }
    if (instruction === 'CMD') out.cmd = rest.startsWith('[') ? words(rest) : ['/bin/sh', '-c', rest];
    if (instruction === 'USER') out.user = rest;
    if (instruction === 'EXPOSE') out.expose.push(...words(rest).map((p) => Number.parseInt(p, 10)));
    if (instruction === 'VOLUME') out.volumes.push(...words(rest));
    if (instruction === 'RUN' && /npm ci\b[^&;]*(--omit=dev|--production)/.test(rest)) out.omitsDevDependencies = true;
    if (instruction === 'COPY' || instruction === 'ADD') {
      const args = words(rest);
      const from = args.find((a) => a.startsWith('--from='))?.slice('--from='.length);
      if (from !== undefined) {
        // COPY --from=<building stage> /app/dist ./dist keeps the build's dist/ folder.
        if (from === buildStage) kept.push(...args.filter((a) => !a.startsWith('--')).slice(0, -1).map((a) => a.replace(/^\/app\/|^\.\//, '').replace(/\/$/, '')));
        continue;
      }
      const paths = args.filter((a) => !a.startsWith('--'));
      out.copies.push(...paths.slice(0, -1));
    }
  }
  if (buildStage !== undefined) out.builds = kept.includes('*') ? ['*', 'dist'] : kept;
  return out;
}

/** globToRegExp turns a .dockerignore-style pattern into a regex: `*` within a segment, `**` across them. */
function globToRegExp(glob: string): RegExp {
  const segment = (part: string) => part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${glob.replace(/^\//, '').split('**').map(segment).join('.*')}$`);
}

/** ignoredByDockerignore: Docker leaves a path out of the build context if it or a parent directory matches. */
function ignoredByDockerignore(path: string, patterns: string[]): boolean {
  const segments = path.replace(/^\.\//, '').split('/');
  const prefixes = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  const excluding = patterns.filter((p) => !p.startsWith('!')).map(globToRegExp);
  return excluding.some((re) => prefixes.some((prefix) => re.test(prefix)));
}

function sourceExists(root: string, source: string): boolean {
  const path = source.replace(/^\.\//, '');
  if (!path.includes('*')) return existsSync(join(root, path));
  const dir = join(root, dirname(path));
  return existsSync(dir) && readdirSync(dir).some((f) => globToRegExp(path.split('/').pop()!).test(f));
}

/**
 * checkDockerfile: the default command is the monolith, every COPY source exists and is
 * not excluded by .dockerignore, the ENV passes the config schema and sets what npm start
 * sets for node, PORT is exposed, DATA_DIR is a volume, and the user is a numeric
 * non-root one.
 *
 * @example expect(checkDockerfile(loadRepoFacts(root))).toEqual([])
 */
export function checkDockerfile(facts: RepoFacts): string[] {
  const df = facts.dockerfile;
  const problems: string[] = [];
  const command = describeCommand(df.cmd ?? [], facts);
  if (command.kind === 'invalid') problems.push(`Dockerfile: CMD ${command.problem}`);
  else if (command.kind !== 'monolith') problems.push(`Dockerfile: CMD must run the monolith; choose a service with the container's command`);
  for (const source of df.copies) {
    if (!sourceExists(facts.root, source)) problems.push(`Dockerfile: COPY ${source}, which does not exist`);
    else if (ignoredByDockerignore(source, facts.dockerignore)) {
      problems.push(`Dockerfile: COPY ${source}, which .dockerignore leaves out of the build context`);
    }
  }
  // What npm start sets for node (MALLOC_ARENA_MAX for glibc) the image sets too, for every command it runs.
  const processEnv = { ...scriptEnv(facts.scripts.service), ...scriptEnv(facts.scripts.start) };
  for (const [name, value] of Object.entries(processEnv)) {
    if (df.env[name] !== value) problems.push(`Dockerfile: ENV ${name}=${value} is missing, which npm start sets for node`);
  }
  for (const name of Object.keys(df.env)) {
    if (!ENV_VARIABLES.includes(name) && !(name in processEnv)) problems.push(`Dockerfile: ENV ${name}, which Carve does not read`);
  }
  const parsed = ConfigSchema.safeParse(df.env);
  if (!parsed.success) problems.push(...parsed.error.issues.map((i) => `Dockerfile: ENV ${String(i.path[0])}: ${i.message}`));
  if (/^(127\.|localhost$)/.test(df.env.HOST ?? '127.0.0.1')) {
    problems.push('Dockerfile: ENV HOST must be 0.0.0.0, or nothing outside the container reaches it');
  }
  const port = Number(df.env.PORT ?? '3000');
  if (!df.expose.includes(port)) problems.push(`Dockerfile: EXPOSE ${df.expose.join(' ') || 'nothing'}, but PORT is ${port}`);
  if (df.env.DATA_DIR === undefined || !df.volumes.includes(df.env.DATA_DIR)) {
    problems.push(`Dockerfile: DATA_DIR (${df.env.DATA_DIR ?? 'unset'}) must be a VOLUME, or SQLite data dies with the container`);
  }
  const uid = df.user?.split(':')[0];
  if (uid === undefined || !/^\d+$/.test(uid) || uid === '0') {
    problems.push(`Dockerfile: USER ${df.user ?? 'unset'}: use a numeric non-root user, which Kubernetes' runAsNonRoot can verify`);
  }
  return problems;
}
