import type { Figure, Scenario, Target } from '../scenario.js';
import { type LoadResult, runLoad } from '../support/load.js';
import { everyOrderNotified } from '../support/notified.js';
import { pidsNamed, untilQuiet } from '../support/quiet.js';
import { orderBody, prepareShop, type Shop } from '../support/shop.js';
import { figure, median } from '../support/stats.js';
import { startCarve, startScript, type Topology } from '../support/topology.js';

// The price of modularity, end to end: the same order placed through each deployment of
// Carve, beside a hand-wired route doing the same writes and a bare echo server.

interface Setup {
  name: string;
  /** A deployment of Carve, whose processes the memory target covers; not a baseline. */
  carve?: boolean;
  start(workDir: string): Promise<Topology>;
  prepare(t: Topology): Promise<Shop | undefined>;
}

const carve = (name: string, opts: Parameters<typeof startCarve>[1]): Setup => ({
  name,
  carve: true,
  start: (dir) => startCarve(dir, opts),
  prepare: (t) => prepareShop(t.url),
});

const handWired = (name: string, flow: 'lean' | 'durable' | 'stepwise'): Setup => ({
  name,
  start: (dir) => startScript(dir, `hand-wired-${flow}`, 'bench/baseline/hand-wired.ts', { FLOW: flow }),
  prepare: async (t) => (await fetch(`${t.url}/bench/setup`, { method: 'POST' })).json() as Promise<Shop>,
});

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

interface Plan {
  concurrency: number[];
  seconds: number;
  repeats: number;
  warmUp: number;
  /** Seconds of unmeasured load at the start of each turn. */
  turnWarmUp: number;
}

/** Deployment is a setup started and prepared, and every load it has taken so far, by concurrency. */
interface Deployment {
  setup: Setup;
  t: Topology;
  shop: Shop | undefined;
  runs: Map<number, LoadResult[]>;
}

const loadOf = (d: Deployment, connections: number, seconds: number) =>
  runLoad({
    url: d.shop ? `${d.t.url}/api/orders` : `${d.t.url}/echo`,
    body: d.shop ? orderBody(d.shop.productId) : orderBody('warm'),
    token: d.shop?.token,
    connections,
    seconds,
    pids: d.t.processes.map((p) => p.pid),
  });

/**
 * inRounds loads every deployment once per round, taking turns, so a slow stretch of the
 * machine falls on every deployment alike instead of on one deployment's repeats. Run
 * back to back, the same build measured 0.67 of the stepwise flow in one run and 0.72
 * and 0.73 in two others, its main thread spending 0.34 ms an order in the first against
 * 0.30 in the second. Odd rounds go through the deployments backwards, so none always
 * follows the same neighbour. A turn begins with an unmeasured load: a deployment left
 * idle while the others took their turns starts cold, and in runs without it every
 * module extracted placed 510–600 orders/s in the rounds where it had been idle longest
 * and 780–820 in the others. Then each concurrency is measured, and the bench waits
 * until the deployment has notified every paid order and is idle (settle), so none works
 * on while another is measured.
 */
async function inRounds(deployments: Deployment[], plan: Plan, log: (l: string) => void) {
  for (let round = 0; round < plan.repeats; round++) {
    const turns = round % 2 === 0 ? deployments : [...deployments].reverse();
    for (const d of turns) {
      if (plan.turnWarmUp > 0) await loadOf(d, plan.concurrency[0]!, plan.turnWarmUp);
      const rates: string[] = [];
      let failed = '';
      for (const c of plan.concurrency) {
        const r = await loadOf(d, c, plan.seconds);
        d.runs.get(c)!.push(r);
        rates.push(`${r.rps.toFixed(0)} req/s @${c}`);
        if (r.failed) failed += `, ${r.failed} failed @${c}: ${JSON.stringify(r.failures)}`;
      }
      // Throws for a flow that fell behind: its orders/s would count work it had not done.
      const notified = d.shop && (await everyOrderNotified(d.t.dataDir));
      const all = notified ? `; ${d.setup.name}: all ${notified.paid} paid orders notified` : '';
      log(`  round ${round + 1}, ${d.setup.name}: ${rates.join(', ')}${failed}${all}`);
      await settle(d, log);
    }
  }
}

/**
 * settle waits until a deployment's processes and the Postgres server are idle after its
 * turn. A deployment on Postgres has no SQLite files to check for notifications, and its
 * relay and the server's own work went on into the next turns: in a run without this
 * wait, the deployments loaded just after the Postgres monolith placed a third fewer
 * orders than in the rounds where they came before it.
 */
async function settle(d: Deployment, log: (l: string) => void) {
  const waited = await untilQuiet(() => [...d.t.processes.map((p) => p.pid), ...pidsNamed('postgres')]);
  if (waited === undefined) log(`  ${d.setup.name}: still busy 30 s after its turn; going on`);
  else if (waited > 1_000) log(`  ${d.setup.name}: idle ${(waited / 1000).toFixed(1)} s after its turn`);
}

/** figuresOf summarises a deployment's runs at each concurrency: req/s, latency, CPU and RSS. */
function figuresOf({ setup, shop, t, runs }: Deployment) {
  const figures: Figure[] = [];
  let peakRssMb = 0;
  for (const [c, rs] of runs) {
    const failed = rs.reduce((s, r) => s + r.failed, 0);
    const extra = { concurrency: c, processes: t.processes.length, failed };
    const runPeaks = rs.map((r) => Math.max(...r.rssMb.flat()));
    peakRssMb = Math.max(peakRssMb, ...runPeaks);
    figures.push(
      figure(`${setup.name}, ${c} clients`, rs.map((r) => r.rps), 'req/s', extra),
      figure(`${setup.name}, ${c} clients: p50`, rs.map((r) => r.p50), 'ms', extra),
      figure(`${setup.name}, ${c} clients: p99`, rs.map((r) => r.p99), 'ms', extra),
      figure(`${setup.name}, ${c} clients: CPU per ${shop ? 'order' : 'request'}`, rs.map((r) => r.cpuMsPerRequest), 'ms CPU', extra),
      figure(`${setup.name}, ${c} clients: main-thread CPU per ${shop ? 'order' : 'request'}`, rs.map((r) => r.mainThreadCpuMsPerRequest), 'ms CPU', extra),
      figure(`${setup.name}, ${c} clients: highest RSS of any process`, runPeaks, 'MB', extra),
    );
  }
  return { figures, peakRssMb };
}

/** pairedRatio is the median over rounds of a/b, each taken from the same round's runs: NaN when either side did not run. */
function pairedRatio(a: Deployment | undefined, b: Deployment | undefined, c: number, of: (r: LoadResult) => number) {
  const as = a?.runs.get(c) ?? [];
  const bs = b?.runs.get(c) ?? [];
  if (as.length === 0 || as.length !== bs.length) return Number.NaN;
  return Math.round(median(as.map((r, i) => of(r) / of(bs[i]!))) * 1000) / 1000;
}

const run: Scenario = async ({ quick, workDir, log }) => {
  const plan: Plan = quick
    ? { concurrency: [16], seconds: 2, repeats: 1, warmUp: 1, turnWarmUp: 0 }
    : { concurrency: [16, 64], seconds: 7, repeats: 3, warmUp: 3, turnWarmUp: 1 };
  const setups = quick ? SETUPS.filter((s) => [BASELINE, SAME_WRITES, SAME_COMMITS, MONOLITH].includes(s.name)) : SETUPS;
  const deployments: Deployment[] = [];
  try {
    // Every deployment is up side by side (about 2 GB in all), idle but for its own turns.
    for (const setup of setups) {
      log(`orders: starting ${setup.name}`);
      const t = await setup.start(workDir);
      const d: Deployment = { setup, t, shop: undefined, runs: new Map(plan.concurrency.map((c) => [c, []])) };
      deployments.push(d);
      d.shop = await setup.prepare(t);
      await loadOf(d, plan.concurrency[0]!, plan.warmUp);
      if (d.shop) await everyOrderNotified(t.dataDir);
      await settle(d, log);
    }
    await inRounds(deployments, plan, log);
  } finally {
    await Promise.all(deployments.map((d) => d.t.stop()));
  }
  const figures: Figure[] = [];
  let carvePeakRss = 0;
  for (const d of deployments) {
    const measured = figuresOf(d);
    figures.push(...measured.figures);
    if (d.setup.carve) carvePeakRss = Math.max(carvePeakRss, measured.peakRssMb);
  }
  const named = (name: string) => deployments.find((d) => d.setup.name === name);
  const c = plan.concurrency[0]!;
  // The baseline does "the same SQLite writes": that is the durable one, committing
  // each transaction alone; the stepwise one also commits as Carve does, so the ratio to it
  // is the seams' code alone. The lean one shows what Carve's storage guarantees (a
  // database per module, outbox and inbox) add.
  const rpsOf = (r: LoadResult) => r.rps;
  const writes = pairedRatio(named(MONOLITH), named(SAME_WRITES), c, rpsOf);
  const seams = pairedRatio(named(MONOLITH), named(SAME_COMMITS), c, rpsOf);
  const everything = pairedRatio(named(MONOLITH), named(BASELINE), c, rpsOf);
  const targets: Target[] = [
    { name: `Carve monolith on SQLite ÷ hand-wired with the same writes, req/s at ${c} clients`, value: writes, limit: '≥ 0.9', met: writes >= 0.9 },
    { name: `Carve monolith on SQLite ÷ hand-wired with the same writes and commits grouped alike (each step saved before the next), req/s at ${c} clients`, value: seams, limit: '≥ 0.9', met: seams >= 0.9 },
    { name: `Carve monolith on SQLite ÷ lean hand-wired (one file, no outbox or inbox), req/s at ${c} clients`, value: everything, limit: '≥ 0.9', met: everything >= 0.9 },
  ];
  // The extracted setups run only in the full bench; a quick run has no figure to judge.
  for (const [setup, limit] of [[PAYMENTS_OUT, 1.5], [ALL_OUT, 3]] as const) {
    if (!named(setup)) continue;
    const r = pairedRatio(named(setup), named(MONOLITH), c, (run) => run.p50);
    targets.push({ name: `${setup} ÷ Carve monolith on SQLite, order p50 at ${c} clients`, value: r, limit: `≤ ${limit}×`, met: r <= limit });
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
      `POST /api/orders, one item of one product with huge stock, one customer, tok_visa; ${plan.repeats} run(s) of ${plan.seconds} s per cell after a ${plan.warmUp} s warm-up: ${plan.repeats * plan.seconds} s of load in all, split into runs so each figure is a median with its spread.`,
      'Every deployment is up side by side, and the runs are taken in rounds: each round gives every deployment one turn, odd rounds in reverse order, and a turn is a second of unmeasured load, then one run at each concurrency. After each turn the bench waits until that deployment has notified every paid order and until its processes and the Postgres server are idle (under 5% of a core over half a second), so the others are idle while one is loaded. A slow stretch of the machine thus falls on all deployments alike.',
      "Each target's ratio is the median over rounds of the ratio within a round (the two deployments' runs taken minutes apart at most), not the ratio of the medians in the table, which can differ slightly.",
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
