// The layers of an HTTP port call, each added to the one before, as the bundled caller
// process times them (bench/port-calls.child.ts) for the port-layers scenario: what each
// part of Carve's port adds to a bare undici → Hono round trip.
import { Pool } from 'undici';
import { assertPlainJson } from '../src/shared/contract/plain-json.js';
import { createLogger } from '../src/shared/log/logger.js';
import { instrumentPort } from '../src/shared/observe/instrument-port.js';
import { createMetrics } from '../src/shared/observe/metrics.js';
import { RemoteEndpoint } from '../src/shared/remote/remote-endpoint.js';
import { createRemotePort } from '../src/shared/remote/remote-port.js';
import { CONTRACT_VERSION_HEADER, DEADLINE_HEADER, REQUEST_ID_HEADER, rpcPath } from '../src/shared/remote/wire.js';
import { type LatencySamples, type LatencyTask, alternatingRuns } from './latency-runs.js';
import { type CallerPlan, REQUEST, answersAlike, bareEcho, inRequest } from './port-calls.js';
import { benchTokens, ledgerContract, sampleEntry } from './port-servers.js';

/** The layers in order, each one the one before with one more part of Carve's port call. */
export const LAYERS = [
  'floor: undici → bare Hono echo',
  "undici → Carve's /_rpc, with only the service token",
  '+ the other headers a port call sends (deadline, contract version, request id, traceparent)',
  '+ RemoteEndpoint.call (instance pool, breaker, bulkhead, retry policy, deadline timer)',
  "+ the plain-JSON check of the input and JSON.stringify",
  '+ zod in and out: the port createRemotePort builds',
  '+ the port-call histogram: the port as a module holds it',
] as const;

/**
 * timeLayers times the layers the plan names (every one by default) against the callee
 * named in the plan, taking turns call by call, for one run.
 *
 * @example const samples = await timeLayers({ kind: 'layers', rpcUrl, bareUrl, calls: 1_500, warmupCalls: WARMUP_ROUNDS, layers: [6] })
 */
export async function timeLayers(plan: CallerPlan): Promise<LatencySamples> {
  const endpoint = new RemoteEndpoint({ module: 'ledger', urls: () => [plan.rpcUrl], tokens: benchTokens, logger: createLogger('silent') });
  const bare = new Pool(plan.bareUrl);
  const rpc = new Pool(plan.rpcUrl);
  try {
    const token = await benchTokens.mint('bench', 'ledger');
    const body = JSON.stringify(sampleEntry);
    const path = rpcPath('ledger', 'echo');
    const version = { [CONTRACT_VERSION_HEADER]: String(ledgerContract.version) };
    const post = async (headers: Record<string, string>) => (await rpc.request({ method: 'POST', path, headers, body })).body.json();
    const tokenOnly = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const allHeaders = () => ({
      ...tokenOnly,
      ...version,
      [DEADLINE_HEADER]: String(Date.now() + 5_000),
      [REQUEST_ID_HEADER]: REQUEST.id,
      traceparent: REQUEST.traceparent,
    });
    const call = (input: string) =>
      endpoint.call({ caller: 'bench', method: 'echo', body: input, deadline: Date.now() + 5_000, retrySafe: true, headers: version });
    const port = createRemotePort(ledgerContract, endpoint, { caller: 'bench', timeoutMs: 5_000 });
    const held = instrumentPort(port, ledgerContract, { caller: 'bench', mode: 'remote', metrics: createMetrics({ processMetrics: false }) });
    const fns: (() => Promise<unknown>)[] = [
      bareEcho(bare),
      () => post(tokenOnly),
      () => post(allHeaders()),
      inRequest(async () => JSON.parse((await call(body)).text)),
      inRequest(async () => {
        assertPlainJson(sampleEntry, 'ledger.echo input');
        return JSON.parse((await call(JSON.stringify(sampleEntry))).text);
      }),
      inRequest(() => port.echo(sampleEntry)),
      inRequest(() => held.echo(sampleEntry)),
    ];
    const timed = new Set([0, ...(plan.layers ?? LAYERS.keys())]);
    const tasks: LatencyTask[] = LAYERS.map((name, i) => ({ name, fn: fns[i]! })).filter((_, i) => timed.has(i));
    await answersAlike(tasks);
    return await alternatingRuns(tasks, { runs: 1, calls: plan.calls, warmupCalls: plan.warmupCalls, log: () => {} });
  } finally {
    await Promise.all([endpoint.close(), bare.close(), rpc.close()]);
  }
}
