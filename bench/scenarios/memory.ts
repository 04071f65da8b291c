import autocannon from 'autocannon';
import type { Figure, Scenario } from '../scenario.js';
import { rssMb } from '../support/processes.js';
import { orderBody, prepareShop } from '../support/shop.js';
import { figure } from '../support/stats.js';
import { type CarveOptions, startCarve } from '../support/topology.js';

// Resident memory of each Carve process, idle after start-up and under an order load.

const TOPOLOGIES: { name: string; opts: CarveOptions }[] = [
  { name: 'monolith, SQLite', opts: {} },
  { name: 'payments extracted', opts: { extracted: ['payments'] } },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** sample reads every pid's RSS every `everyMs` until `done` settles. */
async function sample(pids: number[], done: Promise<unknown>, everyMs: number): Promise<number[][]> {
  const samples: number[][] = pids.map(() => []);
  let finished = false;
  void Promise.resolve(done).finally(() => {
    finished = true;
  });
  while (!finished) {
    for (const [i, pid] of pids.entries()) samples[i]!.push(rssMb(pid));
    await sleep(everyMs);
  }
  return samples;
}

const run: Scenario = async ({ quick, workDir, log }) => {
  const seconds = quick ? 1 : 5;
  const figures: Figure[] = [];
  let peak = 0;
  for (const { name, opts } of TOPOLOGIES) {
    log(`memory: ${name}`);
    const t = await startCarve(workDir, opts);
    try {
      const pids = t.processes.map((p) => p.pid);
      const shop = await prepareShop(t.url);
      await sleep(2_000);
      const idle = await sample(pids, sleep(1_000), 200);
      const load = autocannon({
        url: `${t.url}/api/orders`,
        method: 'POST',
        connections: 16,
        duration: seconds,
        body: orderBody(shop.productId),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${shop.token}` },
      });
      const busy = await sample(pids, load, 250);
      for (const [i, p] of t.processes.entries()) {
        peak = Math.max(peak, ...busy[i]!);
        figures.push(
          figure(`${name}: ${p.name}, idle`, idle[i]!, 'MB'),
          figure(`${name}: ${p.name}, under load`, busy[i]!, 'MB', { peak: Math.round(Math.max(...busy[i]!)) }),
        );
      }
    } finally {
      await t.stop();
    }
  }
  return {
    title: 'Memory: resident set per process',
    figures,
    targets: [{ name: 'highest RSS of any process under load, MB', value: Math.round(peak), limit: '≤ 200 MB', met: peak <= 200 }],
    notes: [
      `VmRSS from /proc/<pid>/status: idle is sampled for 1 s, 2 s after start-up and sign-in; under load is sampled every 250 ms during ${seconds} s of POST /api/orders from 16 clients.`,
      'Median and spread are over those samples. Each Carve process runs the esbuild bundle in dist/, as `npm start` and the image do.',
    ],
  };
};

export default run;
