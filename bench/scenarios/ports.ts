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
import { context, propagation, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { instrumentPort } from '../../src/shared/observe/instrument-port.js';
import { createMetrics } from '../../src/shared/observe/metrics.js';
import { startTracing } from '../../src/shared/observe/tracing.js';
import { type LatencySamples, type LatencyTask, alternatingRuns, figureOf, latencyRuns } from '../latency-runs.js';
import { median } from '../support/stats.js';
import { benchTokens, ledger, ledgerContract, sampleEntry, startPortServers } from '../port-servers.js';
import type { Scenario, ScenarioResult } from '../scenario.js';

const CHILD_SCRIPT = fileURLToPath(new URL('../port-servers.child.ts', import.meta.url));

/** The names of the figures, in the order of the table and the chart. */
export const PORT_CALLS = {
  direct: 'direct call of the implementation',
  local: 'in-process port (validation in and out)',
  measured: 'in-process port, as a caller holds it (+ metrics)',
  traced: 'in-process port + metrics + a recorded span',
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

/**
 * inRecordedSpan runs a call inside a sampled, recording span, as a request is when an
 * exporter is set: the port call then records a span of its own.
 */
function inRecordedSpan<T>(call: () => Promise<T>): () => Promise<T> {
  const request = new BasicTracerProvider().getTracer('bench').startSpan('POST /api/orders');
  const parent = trace.setSpan(context.active(), request);
  return () => context.with(parent, call);
}

/** ServersThere is one server process for the "another process" calls, with the clients that call it. */
interface ServersThere {
  remote: LatencyTask;
  bareRemote: LatencyTask;
  close(): Promise<void>;
}

async function serversThere(logger: ReturnType<typeof createLogger>): Promise<ServersThere> {
  const there = await spawnServers();
  const endpoint = new RemoteEndpoint({ module: 'ledger', urls: () => [there.rpcUrl], tokens: benchTokens, logger });
  const pool = new Pool(there.bareUrl);
  const port = createRemotePort(ledgerContract, endpoint, { caller: 'bench', timeoutMs: 5_000 });
  return {
    remote: { name: PORT_CALLS.remote, fn: () => port.echo(sampleEntry) },
    bareRemote: { name: PORT_CALLS.bareRemote, fn: bareEcho(pool) },
    close: async () => {
      await Promise.all([endpoint.close(), pool.close()]);
      there.child.kill('SIGTERM');
    },
  };
}

/** answersAlike calls every task once and fails on any answer other than the sample: a failing call is fast and would flatter. */
async function answersAlike(tasks: LatencyTask[]): Promise<void> {
  for (const task of tasks) {
    const reply = await task.fn();
    if (JSON.stringify(reply) !== JSON.stringify(sampleEntry)) throw new Error(`${task.name} answered ${JSON.stringify(reply)}`);
  }
}

function appendSamples(into: LatencySamples, from: LatencySamples): void {
  for (const [name, { p50, p99 }] of from) {
    const kept = into.get(name) ?? { p50: [], p99: [] };
    kept.p50.push(...p50);
    kept.p99.push(...p99);
    into.set(name, kept);
  }
}

const run: Scenario = async ({ quick, log }) => {
  const logger = createLogger('silent');
  // As `npm start` runs: a tracer provider, trace ids made and propagated, no exporter.
  const tracing = startTracing({ serviceName: 'bench' });
  const here = await startPortServers();
  const endpoint = new RemoteEndpoint({ module: 'ledger', urls: () => [here.rpcUrl], tokens: benchTokens, logger });
  const pool = new Pool(here.bareUrl);
  try {
    const local = createLocalPort(ledgerContract, ledger, { strict: false });
    const strict = createLocalPort(ledgerContract, ledger, { strict: true });
    const measured = instrumentPort(local, ledgerContract, { caller: 'bench', mode: 'in-process', metrics: createMetrics({ processMetrics: false }) });
    const loopback = createRemotePort(ledgerContract, endpoint, { caller: 'bench', timeoutMs: 5_000 });
    const tasks: LatencyTask[] = [
      { name: PORT_CALLS.direct, fn: () => ledger.echo(sampleEntry, {}) },
      { name: PORT_CALLS.local, fn: () => local.echo(sampleEntry) },
      { name: PORT_CALLS.measured, fn: () => measured.echo(sampleEntry) },
      { name: PORT_CALLS.traced, fn: inRecordedSpan(() => measured.echo(sampleEntry)) },
      { name: PORT_CALLS.strict, fn: () => strict.echo(sampleEntry) },
    ];
    const sameProcess: LatencyTask[] = [
      { name: PORT_CALLS.loopback, fn: () => loopback.echo(sampleEntry) },
      { name: PORT_CALLS.bareLoopback, fn: bareEcho(pool) },
    ];
    await answersAlike([...tasks, ...sameProcess]);

    // In-process calls take tinybench's precision; HTTP calls take turns call by call with
    // their floors, so a neighbour waking on this shared machine lands on both alike.
    const runs = quick ? 2 : 7;
    const samples = await latencyRuns(tasks, { runs, time: quick ? 100 : 500, warmupTime: quick ? 50 : 100, log });
    // Each run calls a server process of its own. Two processes of the same code differ
    // by more than a tenth in this ratio (where the JIT and the scheduler happen to put
    // them), so one process for every run would make one draw of that luck the figure.
    for (let r = 1; r <= runs; r++) {
      const there = await serversThere(logger);
      try {
        const http = [...sameProcess, there.remote, there.bareRemote];
        await answersAlike(http);
        appendSamples(samples, await alternatingRuns(http, { runs: 1, calls: quick ? 100 : 1_500, warmupCalls: quick ? 20 : 1_000, log: () => {} }));
        log(`alternating run ${r}/${runs} done`);
      } finally {
        await there.close();
      }
    }
    const p50 = (name: string) => samples.get(name)!.p50;
    const figures = Object.values(PORT_CALLS).map((name) => {
      const s = samples.get(name)!;
      return figureOf(name, s.p50, 'µs', { 'p99 (µs)': median(s.p99) });
    });

    const overhead = median(perRun(p50(PORT_CALLS.local), p50(PORT_CALLS.direct), (a, b) => a - b));
    // Calls per second kept once metrics are on: Moleculer's own benchmark keeps about a third.
    const keptWithMetrics = median(perRun(p50(PORT_CALLS.local), p50(PORT_CALLS.measured), (a, b) => a / b));
    const remoteRatio = median(perRun(p50(PORT_CALLS.remote), p50(PORT_CALLS.bareRemote), (a, b) => a / b));
    const loopbackRatio = median(perRun(p50(PORT_CALLS.loopback), p50(PORT_CALLS.bareLoopback), (a, b) => a / b));
    const result: ScenarioResult = {
      title: 'The price of a port, per call',
      figures,
      targets: [
        { name: 'in-process port overhead over a direct call, µs (p50 difference)', value: overhead, limit: '≤ 1 µs', met: overhead <= 1 },
        // Moleculer's benchmark keeps a third of its local call rate once metrics are on; Carve must keep more.
        { name: 'in-process calls/s kept with metrics on (p50 without ÷ with)', value: keptWithMetrics, limit: '> 0.33 (Moleculer: 0.33)', met: keptWithMetrics > 1 / 3 },
        { name: 'HTTP port ÷ bare floor, another process (p50)', value: remoteRatio, limit: '≤ 1.3×', met: remoteRatio <= 1.3 },
        { name: 'HTTP port ÷ bare floor, same process (p50)', value: loopbackRatio, limit: '≤ 1.3×', met: loopbackRatio <= 1.3 },
      ],
      notes: [
        `Median of ${runs} runs of each call's p50 latency, calls made one at a time; spread is the lowest and highest run. p99 is the median of the runs' p99. In-process calls are timed by tinybench; the four HTTP calls take turns call by call (${quick ? 100 : 1_500} rounds a run, each round begun by the next call in turn), and each ratio to the floor is taken within a run.`,
        'The echo contract is defined in the bench (bench/port-servers.ts), so no database is involved: input and output are the same four-field object.',
        'The HTTP port goes through the whole Carve HTTP app (request id, logging at silent, service token, deadline, the in-process port behind it); the floor is a bare Hono route called by a bare undici Pool with the same JSON.',
        'The server for "another process" is bench/port-servers.child.ts, run with tsx, started afresh for each run: two processes of the same code differ by more than a tenth in the ratio, so the spread shows that too.',
        'A tracer provider is registered with no exporter, as under `npm start`: "+ metrics" is the port a module is given (timed into the port-call histogram; no span of its own, since nobody records the trace); "+ a recorded span" runs the same call inside a sampled trace, as when OTEL_EXPORTER_OTLP_ENDPOINT is set.',
      ],
    };
    return result;
  } finally {
    await Promise.all([endpoint.close(), pool.close(), here.close()]);
    await tracing.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  }
};

export default run;
