import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { scriptEnv, scriptNodeFlags } from '../../test/support/deployment/commands.js';
import { freePort } from '../../test/support/free-port.js';

export { freePort };

const ROOT = join(import.meta.dirname, '../..');
const running = new Set<ChildProcess>();
// A bench that throws or is interrupted must not leave servers behind.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** BenchProcess is one server the bench started: where it answers, and its pid for CPU and RSS. */
export interface BenchProcess {
  readonly name: string;
  readonly url: string;
  readonly pid: number;
  kill(): Promise<void>;
}

// Carve's processes run the bundle, as `npm start` and the image do; the bench's own
// servers (the baselines, the floor) are bundled the same way and run with the same flags
// and environment.
const START_SCRIPT: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
/** The flags `npm start` passes to node (package.json), which the image and the manifests pass too. */
const START_FLAGS = scriptNodeFlags(START_SCRIPT);
/** What `npm start` sets in node's environment (MALLOC_ARENA_MAX), as the image's ENV does too. */
export const START_ENV = scriptEnv(START_SCRIPT);
const BUNDLES: Record<string, string> = { 'src/main.ts': 'dist/main.js', 'src/extracted/service.ts': 'dist/service.js' };
let built = false;

/** nodeArgs is how a process is started: Carve's entry points from `npm run build`'s bundle, anything else bundled by bundledNodeArgs. */
function nodeArgs(args: string[]): string[] {
  const bundle = BUNDLES[args[0]!];
  if (!bundle) return bundledNodeArgs(args[0]!, ...args.slice(1));
  if (!built) {
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
    built = true;
  }
  return [...START_FLAGS, bundle, ...args.slice(1)];
}

const benchBundles = new Set<string>();

/**
 * bundledNodeArgs is how a bench script (a baseline, the floor, a port-call process) is
 * started: bundled by esbuild as `npm run build` bundles Carve (into dist/bench/, once
 * per run), with the flags `npm start` passes. Under tsx, Carve's port client and server
 * ran 0.03 and 0.02 slower against the floor, which a bundle would not show.
 *
 * @example spawn(process.execPath, bundledNodeArgs('bench/port-servers.child.ts'))
 */
export function bundledNodeArgs(script: string, ...args: string[]): string[] {
  const out = join(ROOT, 'dist/bench', `${basename(script, '.ts')}.js`);
  if (!benchBundles.has(script)) {
    const esbuild = join(ROOT, 'node_modules/.bin/esbuild');
    const flags = ['--bundle', '--platform=node', '--target=node20', '--format=esm', '--packages=external', '--sourcemap', '--log-level=warning'];
    execFileSync(esbuild, [join(ROOT, script), ...flags, `--outfile=${out}`], { cwd: ROOT, stdio: 'inherit' });
    benchBundles.add(script);
  }
  return [...START_FLAGS, out, ...args];
}

/**
 * startProcess runs an entry point on a free port (or `port`) and
 * resolves once `GET /health` answers. Unlike the test harness it does not wait for an
 * info-level "listening" line, so servers run at LOG_LEVEL=warn and log no request.
 *
 * @example const app = await startProcess('monolith', ['src/main.ts'], { DATA_DIR: dir })
 */
export async function startProcess(name: string, args: string[], env: Record<string, string>, port?: number): Promise<BenchProcess> {
  const chosen = port ?? (await freePort());
  const child = spawn(process.execPath, nodeArgs(args), {
    cwd: ROOT,
    env: { ...START_ENV, PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env, PORT: String(chosen) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d).slice(-10_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  const url = `http://127.0.0.1:${chosen}`;
  const kill = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 60_000;
  while (true) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before answering:\n${out}`);
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      await kill();
      throw new Error(`${name} did not answer /health in 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { name, url, pid: child.pid!, kill };
}

const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** cpuMs is the CPU time (user + system) a process has used so far, from /proc/<pid>/stat. */
export function cpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/stat`);
}

/**
 * mainThreadCpuMs is the CPU time of a process's main thread alone, where its JavaScript
 * runs: the rest of cpuMs is V8's helper threads and libuv's pool.
 */
export function mainThreadCpuMs(pid: number): number {
  return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMs(path: string): number {
  const stat = readFileSync(path, 'utf8');
  // Fields after the command name, which may hold spaces, start at state (field 3).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** rssMb is a process's resident set size now, from /proc/<pid>/status. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(status);
  return kb ? Number(kb[1]) / 1024 : Number.NaN;
}

/**
 * sampleRss reads every pid's RSS every `everyMs` until `done` settles: one series per pid.
 *
 * @example const [monolith] = await sampleRss([pid], load, 250)
 */
export async function sampleRss(pids: number[], done: Promise<unknown>, everyMs: number): Promise<number[][]> {
  const samples: number[][] = pids.map(() => []);
  let finished = false;
  void done.then(
    () => (finished = true),
    () => (finished = true),
  );
  while (!finished) {
    for (const [i, pid] of pids.entries()) samples[i]!.push(rssMb(pid));
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return samples;
}
