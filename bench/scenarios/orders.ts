import type { Figure, Scenario, Target } from '../scenario.js';
import { carve, type Deployment, deploy, handWired, type Setup } from '../support/deployments.js';
import type { LoadResult } from '../support/load.js';
import { everyOrderNotified } from '../support/notified.js';
import { figure, median } from '../support/stats.js';
import { startScript } from '../support/topology.js';

// The price of modularity, end to end: the same order placed through each deployment of
// Carve, beside a hand-wired route doing the same writes and a bare echo server.

const SETUPS: Setup[] = [
  { name: 'floor: bare Hono JSON echo', start: (dir) => startScript(dir, 'echo', 'bench/baseline/echo-server.ts'), prepare: async () => undefined },
  handWired('hand-wired baseline (SQLite)', 'lean'),
  handWired('hand-wired, same writes as Carve (SQLite)', 'durable'),
  handWired('hand-wired, same writes, each step saved before the next, commits grouped as Carve groups them (SQLite)', 'stepwise'),
  carve('Carve monolith, SQLite', {}),
  carve('Carve monolith, Postgres', { postgres: true }),
  carve('payments extracted (SQLite each)', { extracted: ['payments'] }),
  carve('every module extracted + gateway', { extracted: 'all' }),
];

const BASELINE = 'hand-wired baseline (SQLite)';
const SAME_WRITES = 'hand-wired, same writes as Carve (SQLite)';
const SAME_COMMITS = 'hand-wired, same writes, each step saved before the next, commits grouped as Carve groups them (SQLite)';
const MONOLITH = 'Carve monolith, SQLite';
const PAYMENTS_OUT = 'payments extracted (SQLite each)';
const ALL_OUT = 'every module extracted + gateway';

/** A ratio of two figures, rounded for the report; NaN when either side did not run. */
const ratioOf = (a: number | undefined, b: number | undefined) => Math.round(((a ?? Number.NaN) / (b ?? Number.NaN)) * 1000) / 1000;

/** A deployment just started warms up for `warmUp` s and `warmUpPerProcess` more for each process after its first. */
type Plan = { concurrency: number[]; seconds: number; repeats: number; warmUp: number; warmUpPerProcess: number };

/**
 * measure loads one deployment at each concurrency, `repeats` times, after a short
 * warm-up; `taken` is the runs at the first concurrency where they were taken already,
 * in rounds with other deployments (see run).
 */
async function measure({ setup, t, shop, load }: Deployment, plan: Plan, log: (l: string) => void, taken?: LoadResult[]) {
  if (!taken) await load(plan.concurrency[0]!, firstWarmUp({ t }, plan));
  const figures: Figure[] = [];
  const rpsAt = new Map<number, number>();
  let peakRssMb = 0;
  for (const c of plan.concurrency) {
    let runs: LoadResult[] = [];
    if (taken && c === plan.concurrency[0]) runs = taken;
    else {
      // Idle while the others took their turns, it warms up again first.
      if (taken) await load(c, plan.warmUp);
      for (let i = 0; i < plan.repeats; i++) runs.push(await load(c, plan.seconds));
    }
    const failed = runs.reduce((s, r) => s + r.failed, 0);
    const why = runs.map((r) => JSON.stringify(r.failures)).join(' ');
    log(`  ${setup.name} @${c}: ${runs.map((r) => r.rps.toFixed(0)).join(', ')} req/s${failed ? `, ${failed} failed: ${why}` : ''}`);
    const extra = { concurrency: c, processes: t.processes.length, failed };
    const rps = figure(`${setup.name}, ${c} clients`, runs.map((r) => r.rps), 'req/s', extra);
    const p50 = figure(`${setup.name}, ${c} clients: p50`, runs.map((r) => r.p50), 'ms', extra);
    const runPeaks = runs.map((r) => Math.max(...r.rssMb.flat()));
    rpsAt.set(c, rps.median);
    peakRssMb = Math.max(peakRssMb, ...runPeaks);
    figures.push(
      rps,
      p50,
      figure(`${setup.name}, ${c} clients: p99`, runs.map((r) => r.p99), 'ms', extra),
      figure(`${setup.name}, ${c} clients: CPU per ${shop ? 'order' : 'request'}`, runs.map((r) => r.cpuMsPerRequest), 'ms CPU', extra),
      figure(`${setup.name}, ${c} clients: main-thread CPU per ${shop ? 'order' : 'request'}`, runs.map((r) => r.mainThreadCpuMsPerRequest), 'ms CPU', extra),
      figure(`${setup.name}, ${c} clients: highest RSS of any process`, runPeaks, 'MB', extra),
    );
  }
  // Throws for a flow that fell behind: its orders/s would count work it had not done.
  const notified = shop && (await everyOrderNotified(t.dataDir));
  if (notified) log(`  ${setup.name}: all ${notified.paid} paid orders notified`);
  return { figures, rpsAt, peakRssMb };
}

/**
 * firstWarmUp is how long a deployment just started is loaded before it is measured. With
 * 3 s for any deployment, every module extracted (six processes) was slowest in its first
 * measured run in five full runs (308-474 orders/s, against 359-597 in the runs after).
 */
const firstWarmUp = ({ t }: Pick<Deployment, 't'>, plan: Plan) => plan.warmUp + plan.warmUpPerProcess * (t.processes.length - 1);

/**
 * inRounds takes the deployments' runs at `connections` in turns, each deployment warmed
 * up first, each round begun by the next deployment in turn: a slow stretch of this
 * shared machine then falls on all of them, not on the one whose turn it was. Each waits
 * as many runs as there are others between its own; a process left idle for much longer
 * starts slow (see the README).
 */
async function inRounds(ds: Deployment[], plan: Plan, connections: number, log: (l: string) => void): Promise<Map<string, LoadResult[]>> {
  for (const d of ds) await d.load(connections, firstWarmUp(d, plan));
  const runs = new Map(ds.map((d) => [d.setup.name, [] as LoadResult[]]));
  for (let round = 0; round < plan.repeats; round++) {
    for (let i = 0; i < ds.length; i++) {
      const d = ds[(round + i) % ds.length]!;
      runs.get(d.setup.name)!.push(await d.load(connections, plan.seconds));
    }
    log(`  round ${round + 1} at ${connections} clients: ${ds.map((d) => `${d.setup.name} ${runs.get(d.setup.name)!.at(-1)!.rps.toFixed(0)}`).join(', ')} req/s`);
  }
  return runs;
}

/**
 * The deployments whose ratios to the monolith are targets near their limits, loaded side
 * by side in rounds: Carve's SQLite deployments, whose order p50s the extraction targets
 * compare, and the hand-wired flows that commit as Carve does and the lean one. Loaded
 * minutes apart, the monolith measured 0.48, 0.73 and 0.91 of the lean flow in three
 * full runs.
 */
const SIDE_BY_SIDE = new Set([MONOLITH, SAME_COMMITS, BASELINE, PAYMENTS_OUT, ALL_OUT]);

const run: Scenario = async ({ quick, workDir, log }) => {
  const plan: Plan = quick ? { concurrency: [16], seconds: 2, repeats: 1, warmUp: 1, warmUpPerProcess: 0 } : { concurrency: [16, 64], seconds: 5, repeats: 4, warmUp: 3, warmUpPerProcess: 1 };
  const setups = quick ? SETUPS.filter((s) => [BASELINE, SAME_WRITES, SAME_COMMITS, MONOLITH].includes(s.name)) : SETUPS;
  const figures: Figure[] = [];
  const rps = new Map<string, Map<number, number>>();
  let carvePeakRss = 0;
  const record = (setup: Setup, measured: Awaited<ReturnType<typeof measure>>) => {
    figures.push(...measured.figures);
    rps.set(setup.name, measured.rpsAt);
    if (setup.carve) carvePeakRss = Math.max(carvePeakRss, measured.peakRssMb);
  };
  const start = (setup: Setup) => {
    log(`orders: starting ${setup.name}`);
    return deploy(setup, workDir);
  };
  for (const setup of setups.filter((s) => !SIDE_BY_SIDE.has(s.name))) {
    const d = await start(setup);
    try {
      record(setup, await measure(d, plan, log));
    } finally {
      await d.t.stop();
    }
  }
  const group: Deployment[] = [];
  let rounds = new Map<string, LoadResult[]>();
  try {
    for (const setup of setups.filter((s) => SIDE_BY_SIDE.has(s.name))) group.push(await start(setup));
    rounds = await inRounds(group, plan, plan.concurrency[0]!, log);
    for (const d of group) record(d.setup, await measure(d, plan, log, rounds.get(d.setup.name)));
  } finally {
    await Promise.all(group.map((d) => d.t.stop()));
  }
  const c = plan.concurrency[0]!;
  // The issue's baseline does "the same SQLite writes": that is the durable one, committing
  // each transaction alone; the stepwise one also commits as Carve does, so the ratio to it
  // is the seams' code alone. The lean one shows what Carve's storage guarantees (a
  // database per module, outbox and inbox) add.
  const writes = ratioOf(rps.get(MONOLITH)?.get(c), rps.get(SAME_WRITES)?.get(c));
  // Taken in rounds (inRounds): each round's ratio, the median of those.
  const monolithRuns = rounds.get(MONOLITH) ?? [];
  const perRound = (runs: LoadResult[] | undefined, of: (mine: LoadResult, monolith: LoadResult) => number) =>
    Math.round(median((runs ?? []).map((run, i) => (monolithRuns[i] ? of(run, monolithRuns[i]) : Number.NaN))) * 1000) / 1000;
  const seams = perRound(rounds.get(SAME_COMMITS), (flow, monolith) => monolith.rps / flow.rps);
  const everything = perRound(rounds.get(BASELINE), (flow, monolith) => monolith.rps / flow.rps);
  const targets: Target[] = [
    { name: `Carve monolith on SQLite ÷ hand-wired with the same writes, req/s at ${c} clients`, value: writes, limit: '≥ 0.9', met: writes >= 0.9 },
    { name: `Carve monolith on SQLite ÷ hand-wired with the same writes and commits grouped alike (each step saved before the next), req/s at ${c} clients, in rounds`, value: seams, limit: '≥ 0.9', met: seams >= 0.9 },
    { name: `Carve monolith on SQLite ÷ lean hand-wired (one file, no outbox or inbox), req/s at ${c} clients, in rounds`, value: everything, limit: '≥ 0.9', met: everything >= 0.9 },
  ];
  // The extracted setups run only in the full bench; a quick run has no figure to judge.
  for (const [setup, limit] of [[PAYMENTS_OUT, 1.5], [ALL_OUT, 3]] as const) {
    if (!rounds.has(setup)) continue;
    const r = perRound(rounds.get(setup), (extracted, monolith) => extracted.p50 / monolith.p50);
    targets.push({ name: `${setup} ÷ Carve monolith on SQLite, order p50 at ${c} clients, in rounds`, value: r, limit: `≤ ${limit}×`, met: r <= limit });
  }
  const loads = plan.concurrency.join(' and ');
  targets.push({
    name: `highest RSS of any Carve process during these order loads, MB (every topology run, ${loads} clients)`,
    value: Math.round(carvePeakRss),
    limit: '≤ 200 MB',
    met: carvePeakRss <= 200,
  });
  return {
    title: 'Orders end to end: the price of modularity',
    figures,
    targets,
    notes: [
      `POST /api/orders, one item of one product with huge stock, one customer, tok_visa; ${plan.repeats} run(s) of ${plan.seconds} s per cell after a warm-up of ${plan.warmUp} s and ${plan.warmUpPerProcess} s more for each process after the first: ${plan.repeats * plan.seconds} s of load in all, split into runs so each figure is a median with its spread.`,
      `These run side by side and take their ${c}-client runs in rounds, one run each a round, each round begun by the next in turn, after a warm-up each: ${[...SIDE_BY_SIDE].join('; ')}. Their ratios to the monolith (the extraction targets, the flow that commits alike and the lean one) are the median over the rounds of each round's ratio. The other deployments run one at a time, so the monolith's ratios to them compare runs minutes apart. On the machine this was written on, three full runs of one evening that loaded every deployment in one stretch measured payments extracted at 0.94–1.77× the monolith and every module extracted at 1.92–3.19×: whichever deployment a slow stretch of the machine fell on moved the ratio.`,
      'req/s counts 201 answers only, but p50 and p99 are over every answer, so a run with failures (see `failed`) looks faster than it is. CPU is user+system time of every server process (/proc/<pid>/stat) divided by those answers.',
      "Main-thread CPU is the part of it each process's main thread spent (/proc/<pid>/task/<pid>/stat), where its JavaScript runs and which bounds its throughput; the rest ran on V8's helper threads (garbage collection, compilation) and libuv's pool. The hand-wired routes check each request's token with jose, whose Ed25519 check runs on that pool through WebCrypto; Carve keeps a verified token and does the rest on its main thread.",
      "p50 and p99 leave out each connection's first answer: autocannon opens all its connections at once, and a saturated Node server accepts them one by one over seconds (a bare node:http server spending 1.5 ms a request shows p99 ~900 ms at 64 fresh connections), which clients that keep their connections never see.",
      'autocannon runs in the bench process on the same machine, so it competes with the servers for CPU.',
      "Carve's SQLite handle commits the transactions begun in two turns of the event loop in a row together (src/shared/db/grouped-commits.ts, src/shared/db/sqlite-db.ts), answering none before its COMMIT; the lean and same-writes hand-wired flows run each request straight through and commit each of its transactions alone, so a ratio to them near or above 1 is that grouping outweighing the JavaScript of the seams, not seams that cost nothing. The stepwise flow (bench/baseline/commit-each-step.ts) commits as Carve does: each step waits for its own transaction's COMMIT before the next begins, as Carve's saga waits before it calls the next module; each module database commits the transactions begun in two turns in a row together, each after the first in a savepoint; the files checkpoint on Carve's checkpoint thread; and the notification is delivered after the order is answered, one delivery round at a time, its events handled side by side, as Carve's relay and inbox do. The ratio to it is the price of the seams' code alone.",
      "After a deployment's loads, the bench waits (up to 30 s) until every paid order in its SQLite files has its notification, and fails the run otherwise (bench/support/notified.ts): a flow whose notifications fell behind would count work it had not done. The Postgres monolith is not checked.",
      'Servers run with NODE_ENV=production (no strict-port JSON copying) and LOG_LEVEL=warn (no request log).',
      'RSS is VmRSS from /proc/<pid>/status, read every 250 ms during each run; the figure is the highest of any process of the deployment in a run, the median over the runs with their spread.',
    ],
  };
};

export default run;
