// The price of a port, per call: the same echo called directly, through the in-process
// port, and over HTTP, beside the floor of a bare undici → Hono JSON round trip.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { createLocalPort } from '../../src/shared/contract/local-port.js';
import { createLogger } from '../../src/shared/log/logger.js';
import { RemoteEndpoint } from '../../src/shared/remote/remote-endpoint.js';
import { createRemotePort } from '../../src/shared/remote/remote-port.js';
import { type LatencyTask, figureOf, latencyRuns, median } from '../latency-runs.js';
import { benchTokens, ledger, ledgerContract, sampleEntry, startPortServers } from '../port-servers.js';
import type { Scenario, ScenarioResult } from '../scenario.js';

const CHILD_SCRIPT = fileURLToPath(new URL('../port-servers.child.ts', import.meta.url));

/** The names of the figures, in the order of the table and the chart. */
export const PORT_CALLS = {
  direct: 'direct call of the implementation',
  local: 'in-process port (validation in and out)',
  strict: 'in-process port, strict (plain-JSON check and copy)',
  loopback: 'HTTP port, loopback, same process',
  remote: 'HTTP port, another process',
  bareLoopback: 'floor: undici → bare Hono, same process',
  bareRemote: 'floor: undici → bare Hono, another process',
} as const;

async function spawnServers(): Promise<{ child: ChildProcess; rpcUrl: string; bareUrl: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the port server process exited (${code}) before it listened`);
  });
  const [first] = (await Promise.race([once(lines, 'line'), exited])) as [string];
  exited.catch(() => {});
  return { child, ...(JSON.parse(first) as { rpcUrl: string; bareUrl: string }) };
}

function bareEcho(pool: Pool) {
  const body = JSON.stringify(sampleEntry);
  return async () => {
    const res = await pool.request({ method: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body });
    return res.body.json();
  };
}

/** perRun pairs two tasks' runs, so a ratio or difference is taken within each run. */
const perRun = (a: number[], b: number[], f: (x: number, y: number) => number) => a.map((x, i) => f(x, b[i]!));

const run: Scenario = async ({ quick, log }) => {
  const logger = createLogger('silent');
  const here = await startPortServers();
  const there = await spawnServers();
  const endpoints = [here.rpcUrl, there.rpcUrl].map(
    (url) => new RemoteEndpoint({ module: 'ledger', urls: () => [url], tokens: benchTokens, logger }),
  );
  const pools = [new Pool(here.bareUrl), new Pool(there.bareUrl)];
  try {
    const local = createLocalPort(ledgerContract, ledger, { strict: false });
    const strict = createLocalPort(ledgerContract, ledger, { strict: true });
    const [loopback, remote] = endpoints.map((e) => createRemotePort(ledgerContract, e, { caller: 'bench', timeoutMs: 5_000 }));
    const tasks: LatencyTask[] = [
      { name: PORT_CALLS.direct, fn: () => ledger.echo(sampleEntry, {}) },
      { name: PORT_CALLS.local, fn: () => local.echo(sampleEntry) },
      { name: PORT_CALLS.strict, fn: () => strict.echo(sampleEntry) },
      { name: PORT_CALLS.loopback, fn: () => loopback!.echo(sampleEntry) },
      { name: PORT_CALLS.remote, fn: () => remote!.echo(sampleEntry) },
      { name: PORT_CALLS.bareLoopback, fn: bareEcho(pools[0]!) },
      { name: PORT_CALLS.bareRemote, fn: bareEcho(pools[1]!) },
    ];
    // Every call must answer alike before any is timed: a failing call is fast and would flatter.
    for (const task of tasks) {
      const reply = await task.fn();
      if (JSON.stringify(reply) !== JSON.stringify(sampleEntry)) throw new Error(`${task.name} answered ${JSON.stringify(reply)}`);
    }

    const runs = quick ? 2 : 5;
    const samples = await latencyRuns(tasks, { runs, time: quick ? 100 : 1_000, warmupTime: quick ? 50 : 250, log });
    const p50 = (name: string) => samples.get(name)!.p50;
    const figures = tasks.map((t) => {
      const s = samples.get(t.name)!;
      return figureOf(t.name, s.p50, 'µs', { 'p99 (µs)': median(s.p99) });
    });

    const overhead = median(perRun(p50(PORT_CALLS.local), p50(PORT_CALLS.direct), (a, b) => a - b));
    const remoteRatio = median(perRun(p50(PORT_CALLS.remote), p50(PORT_CALLS.bareRemote), (a, b) => a / b));
    const loopbackRatio = median(perRun(p50(PORT_CALLS.loopback), p50(PORT_CALLS.bareLoopback), (a, b) => a / b));
    const result: ScenarioResult = {
      title: 'The price of a port, per call',
      figures,
      targets: [
        { name: 'in-process port overhead over a direct call, µs (p50 difference)', ratio: overhead, limit: '≤ 1 µs', met: overhead <= 1 },
        { name: 'HTTP port ÷ bare floor, another process (p50)', ratio: remoteRatio, limit: '≤ 1.3×', met: remoteRatio <= 1.3 },
        { name: 'HTTP port ÷ bare floor, same process (p50)', ratio: loopbackRatio, limit: '≤ 1.3×', met: loopbackRatio <= 1.3 },
      ],
      notes: [
        `Median of ${runs} tinybench runs of each call's p50 latency, made one at a time; spread is the lowest and highest run. p99 is the median of the runs' p99.`,
        'The echo contract is defined in the bench (bench/port-servers.ts), so no database is involved: input and output are the same four-field object.',
        'The HTTP port goes through the whole Carve HTTP app (request id, logging at silent, service token, deadline, the in-process port behind it); the floor is a bare Hono route called by a bare undici Pool with the same JSON.',
        'The server for "another process" is bench/port-servers.child.ts, run with tsx.',
      ],
    };
    return result;
  } finally {
    await Promise.all([...endpoints.map((e) => e.close()), ...pools.map((p) => p.close()), here.close()]);
    there.child.kill('SIGTERM');
  }
};

export default run;
