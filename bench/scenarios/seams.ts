import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Figure, Scenario } from '../scenario.js';
import { type CpuProfile, selfTimeByCategory } from '../support/cpu-categories.js';
import { carve, type Deployment, deploy, handWired } from '../support/deployments.js';
import type { LoadResult } from '../support/load.js';
import { figure, median } from '../support/stats.js';

// Where the monolith's time goes. The orders scenario compares throughput; this one splits
// each order's main-thread time, in Carve's monolith and in the hand-wired flow that makes
// the same writes and commits alike, into the time inside SQLite's statement calls and the
// rest, and then the rest by what V8's CPU profiler saw.

const PROBE = join(import.meta.dirname, '../support/seam-probe.cjs');
const CARVE = 'Carve monolith, SQLite';
const STEPWISE = 'hand-wired, each step saved before the next';

/** Probed is a deployment started with the probe preloaded; name is its setup's, kept at hand. */
interface Probed extends Deployment {
  name: string;
  probeDir: string;
}

interface Probe {
  sqliteMs: number;
  statements: number;
}

/** probedLoad loads one deployment with its probe on, and answers the load with what the probe counted. */
async function probedLoad(d: Probed, mode: 'time' | 'profile', seconds: number): Promise<{ load: LoadResult; probe: Probe; profile?: CpuProfile }> {
  const pid = d.t.processes[0]!.pid;
  const written = join(d.probeDir, `${pid}.json`);
  rmSync(written, { force: true });
  writeFileSync(join(d.probeDir, 'mode'), mode);
  process.kill(pid, 'SIGUSR2');
  // The signal is handled in the server's next turn; the load must not begin before it.
  await new Promise((r) => setTimeout(r, 100));
  const load = await d.load(16, seconds);
  process.kill(pid, 'SIGUSR2');
  const giveUpAt = Date.now() + 20_000;
  while (!existsSync(written)) {
    if (Date.now() > giveUpAt) throw new Error(`${d.name}: its probe wrote nothing in 20 s (${written})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const probe = JSON.parse(readFileSync(written, 'utf8')) as Probe;
  const profileFile = join(d.probeDir, `${pid}.cpuprofile`);
  const profile = mode === 'profile' ? (JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile) : undefined;
  return { load, probe, profile };
}

async function start(name: string, workDir: string): Promise<Probed> {
  const probeDir = join(workDir, `probe-${name === CARVE ? 'carve' : 'stepwise'}`);
  mkdirSync(probeDir, { recursive: true });
  const env = { NODE_OPTIONS: `--require ${PROBE}`, SEAM_PROBE_DIR: probeDir };
  const d = await deploy(name === CARVE ? carve(CARVE, { env }) : handWired(STEPWISE, 'stepwise', env), workDir);
  return { ...d, name, probeDir };
}

const run: Scenario = async ({ quick, workDir, log }) => {
  const plan = quick ? { seconds: 1, rounds: 1, warmUp: 1 } : { seconds: 4, rounds: 2, warmUp: 3 };
  const flows: Probed[] = [];
  const timed = new Map<string, { load: LoadResult; probe: Probe }[]>();
  const profiled = new Map<string, { load: LoadResult; byCategory: Map<string, number> }>();
  try {
    for (const name of [CARVE, STEPWISE]) {
      log(`seams: starting ${name}`);
      const d = await start(name, workDir);
      flows.push(d);
      timed.set(name, []);
      await d.load(16, plan.warmUp);
    }
    // In turns, odd rounds in reverse, so a slow stretch of the machine falls on both.
    for (let round = 0; round < plan.rounds; round++) {
      for (const d of round % 2 === 0 ? flows : [...flows].reverse()) {
        const r = await probedLoad(d, 'time', plan.seconds);
        timed.get(d.name)!.push(r);
        log(`  round ${round + 1}, ${d.name}: ${r.load.rps.toFixed(0)} orders/s, ${((r.probe.sqliteMs * 1000) / r.load.ok).toFixed(0)} µs in SQLite an order`);
      }
    }
    for (const d of flows) {
      const r = await probedLoad(d, 'profile', plan.seconds);
      profiled.set(d.name, { load: r.load, byCategory: selfTimeByCategory(r.profile!) });
      log(`  profiled ${d.name}: ${r.load.rps.toFixed(0)} orders/s`);
    }
  } finally {
    await Promise.all(flows.map((d) => d.t.stop()));
  }

  const figures: Figure[] = [];
  const split = new Map<string, { main: number; sqlite: number; rest: number }>();
  for (const { name } of flows) {
    const runs = timed.get(name)!;
    const main = runs.map((r) => r.load.mainThreadCpuMsPerRequest * 1000);
    const sqlite = runs.map((r) => (r.probe.sqliteMs * 1000) / r.load.ok);
    const rest = runs.map((_, i) => main[i]! - sqlite[i]!);
    split.set(name, { main: median(main), sqlite: median(sqlite), rest: median(rest) });
    figures.push(
      figure(`${name}: orders/s`, runs.map((r) => r.load.rps), 'req/s'),
      figure(`${name}: main-thread CPU an order`, main, 'µs'),
      figure(`${name}: inside SQLite statement calls, an order`, sqlite, 'µs'),
      figure(`${name}: the rest of the main thread, an order`, rest, 'µs'),
      figure(`${name}: SQLite statements an order`, runs.map((r) => r.probe.statements / r.load.ok), 'count'),
    );
  }
  // The profiler's categories, per order, largest in Carve first; both runs slowed alike by the profiler.
  const perOrder = (name: string, category: string) => {
    const p = profiled.get(name)!;
    return (p.byCategory.get(category) ?? 0) / p.load.ok;
  };
  const categories = [...new Set(flows.flatMap(({ name }) => [...profiled.get(name)!.byCategory.keys()]))]
    .filter((c) => flows.some(({ name }) => perOrder(name, c) >= 1))
    .sort((a, b) => perOrder(CARVE, b) - perOrder(CARVE, a));
  for (const category of categories) for (const { name } of flows) figures.push(figure(`${name}, profiled: ${category}, an order`, [perOrder(name, category)], 'µs'));

  const carve = split.get(CARVE)!;
  const stepwise = split.get(STEPWISE)!;
  // Throughput follows the main thread, where the JavaScript runs: 0.9 of the flow's orders/s is this much of its time an order.
  const allowed = stepwise.main / 0.9;
  const restAllowed = allowed - carve.sqlite;
  const round = (n: number) => Math.round(n);
  return {
    title: "Where the monolith's time goes: SQLite and the rest",
    figures,
    notes: [
      `The monolith (as \`npm start\` runs it) and the stepwise hand-wired flow of the orders scenario, each loaded by 16 clients for ${plan.seconds} s a run, ${plan.rounds} run(s) each in turns; then one run each under V8's CPU profiler.`,
      'A preload (bench/support/seam-probe.cjs) times every better-sqlite3 statement call on the main thread while a run lasts, BEGIN, SAVEPOINT and COMMIT included; the rest of the main-thread CPU (from /proc) is everything else: HTTP, routing, validation, the seams, the flow itself. Timing each call adds about the same small cost to both.',
      `Carve's main thread spent ${round(carve.main)} µs an order, ${round(carve.sqlite)} of them in SQLite and ${round(carve.rest)} in the rest; the hand-wired flow spent ${round(stepwise.main)}: ${round(stepwise.sqlite)} in SQLite and ${round(stepwise.rest)} in the rest. Carve's rest is ${(carve.rest / stepwise.rest).toFixed(1)}× the flow's.`,
      `To answer 0.9 of the flow's orders/s, the monolith's main thread could spend at most ${round(allowed)} µs an order. With its SQLite time as measured, that leaves ${round(restAllowed)} µs for the rest, against ${round(carve.rest)} now: ${Math.max(0, round((1 - restAllowed / carve.rest) * 100))}% of it would have to go.`,
      "Profiled rows are self time by where the code lives, divided by the orders answered in that run; the profiler slows both processes. \"Own code\" is the process's bundle: Carve's modules and seams, or the hand-wired flow. A statement call V8 inlined into its caller is counted in the caller's category, so SQLite's profiled row is smaller than the timed one.",
    ],
  };
};

export default run;
