// The HTTP port calls of the port-call scenario and their floors, as the bundled caller
// process makes them (bench/port-calls.child.ts): the port as a module holds it, called
// while serving a request, taking turns with a bare undici → Hono echo.
import { TraceFlags, context, trace } from '@opentelemetry/api';
import { Pool } from 'undici';
import { createLogger } from '../src/shared/log/logger.js';
import { inRequestScope } from '../src/shared/log/request-scope.js';
import { instrumentPort } from '../src/shared/observe/instrument-port.js';
import { createMetrics } from '../src/shared/observe/metrics.js';
import { RemoteEndpoint } from '../src/shared/remote/remote-endpoint.js';
import { createRemotePort } from '../src/shared/remote/remote-port.js';
import { type LatencySamples, type LatencyTask, alternatingRuns } from './latency-runs.js';
import { benchTokens, ledgerContract, sampleEntry, startPortServers } from './port-servers.js';

/** The names of the HTTP figures, as the report shows them. */
export const HTTP_CALLS = {
  loopback: 'HTTP port, loopback, same process',
  remote: 'HTTP port, another process',
  bareLoopback: 'floor: undici → bare Hono, same process',
  bareRemote: 'floor: undici → bare Hono, another process',
} as const;

/**
 * WARMUP_ROUNDS is how many rounds of calls a fresh caller makes before it times any:
 * enough for the JIT to finish with Carve's code on both sides. After 600 rounds the
 * port call to another process still measured 1.57–1.69× the floor in three runs; after
 * 4,000, 1.35–1.37, and after 10,000, 1.33–1.39. A process that serves calls all day
 * runs that optimized code; the floor's few functions are optimized long before.
 */
export const WARMUP_ROUNDS = 4_000;

/** What the caller process is told: which calls, the other process's servers, and how many calls to make. */
export interface CallerPlan {
  /** calls: the port scenario's four HTTP calls; layers: the port-layers scenario's. */
  kind: 'calls' | 'layers';
  rpcUrl: string;
  bareUrl: string;
  calls: number;
  warmupCalls: number;
  /** For layers: which of LAYERS to time, by index, the floor always among them; every one when absent. */
  layers?: number[];
}

/** bareEcho is the floor: a bare undici Pool posting the same JSON to a bare Hono echo. */
export function bareEcho(pool: Pool) {
  const body = JSON.stringify(sampleEntry);
  return async () => {
    const res = await pool.request({ method: 'POST', path: '/echo', headers: { 'content-type': 'application/json' }, body });
    return res.body.json();
  };
}

/** answersAlike calls every task once and fails on any answer other than the sample: a failing call is fast and would flatter. */
export async function answersAlike(tasks: LatencyTask[]): Promise<void> {
  for (const task of tasks) {
    const reply = await task.fn();
    if (JSON.stringify(reply) !== JSON.stringify(sampleEntry)) throw new Error(`${task.name} answered ${JSON.stringify(reply)}`);
  }
}

/** The request a port call is made in: its id, and its trace, sampled out as with no exporter. */
export const REQUEST = {
  id: 'bench-request-1',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00',
} as const;

/**
 * inRequest runs a call as a module makes it while serving a request under `npm start`:
 * inside the request's scope and trace (REQUEST), so its id and traceparent go with it.
 */
export function inRequest<T>(call: () => Promise<T>): () => Promise<T> {
  const [, traceId, spanId] = REQUEST.traceparent.split('-') as [string, string, string];
  const request = trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.NONE });
  const parent = trace.setSpan(context.active(), request);
  return () => inRequestScope(REQUEST.id, () => context.with(parent, call));
}

/**
 * timeHttpCalls serves the same-process servers, then times the four HTTP calls taking
 * turns, call by call, for one run, and closes what it opened.
 *
 * @example const samples = await timeHttpCalls({ kind: 'calls', rpcUrl, bareUrl, calls: 1_500, warmupCalls: WARMUP_ROUNDS })
 */
export async function timeHttpCalls(plan: CallerPlan): Promise<LatencySamples> {
  const logger = createLogger('silent');
  const metrics = createMetrics({ processMetrics: false });
  const here = await startPortServers();
  const endpoints = [here.rpcUrl, plan.rpcUrl].map((url) => new RemoteEndpoint({ module: 'ledger', urls: () => [url], tokens: benchTokens, logger }));
  const pools = [new Pool(here.bareUrl), new Pool(plan.bareUrl)];
  try {
    // The port a module is given: timed into the port-call histogram.
    const [loopback, remote] = endpoints.map((e) =>
      instrumentPort(createRemotePort(ledgerContract, e, { caller: 'bench', timeoutMs: 5_000 }), ledgerContract, { caller: 'bench', mode: 'remote', metrics }),
    );
    const tasks: LatencyTask[] = [
      { name: HTTP_CALLS.loopback, fn: inRequest(() => loopback!.echo(sampleEntry)) },
      { name: HTTP_CALLS.bareLoopback, fn: bareEcho(pools[0]!) },
      { name: HTTP_CALLS.remote, fn: inRequest(() => remote!.echo(sampleEntry)) },
      { name: HTTP_CALLS.bareRemote, fn: bareEcho(pools[1]!) },
    ];
    await answersAlike(tasks);
    return await alternatingRuns(tasks, { runs: 1, calls: plan.calls, warmupCalls: plan.warmupCalls, log: () => {} });
  } finally {
    await Promise.all([...endpoints.map((e) => e.close()), ...pools.map((p) => p.close()), here.close()]);
  }
}
