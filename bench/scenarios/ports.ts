// The price of a port, per call: the same echo called directly, through the in-process
// port, and over HTTP, beside the floor of a bare undici → Hono JSON round trip.
import { context, propagation, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { createLocalPort } from '../../src/shared/contract/local-port.js';
import { instrumentPort } from '../../src/shared/observe/instrument-port.js';
import { createMetrics } from '../../src/shared/observe/metrics.js';
import { startTracing } from '../../src/shared/observe/tracing.js';
import { type LatencyTask, figureOf, latencyRuns } from '../latency-runs.js';
import { HTTP_CALLS, WARMUP_ROUNDS, answersAlike } from '../port-calls.js';
import { ledger, ledgerContract, sampleEntry } from '../port-servers.js';
import type { Scenario, ScenarioResult } from '../scenario.js';
import { callerRun } from '../support/port-processes.js';
import { median } from '../support/stats.js';

/** The names of the figures, in the order of the table and the chart. */
export const PORT_CALLS = {
  direct: 'direct call of the implementation',
  local: 'in-process port (validation in and out)',
  measured: 'in-process port, as a caller holds it (+ metrics)',
  traced: 'in-process port + metrics + a recorded span',
  strict: 'in-process port, strict (plain-JSON check and copy)',
  ...HTTP_CALLS,
} as const;

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

const run: Scenario = async ({ quick, log }) => {
  // As `npm start` runs: a tracer provider, trace ids made and propagated, no exporter.
  const tracing = startTracing({ serviceName: 'bench' });
  try {
    const local = createLocalPort(ledgerContract, ledger, { strict: false });
    const strict = createLocalPort(ledgerContract, ledger, { strict: true });
    const measured = instrumentPort(local, ledgerContract, { caller: 'bench', mode: 'in-process', metrics: createMetrics({ processMetrics: false }) });
    const tasks: LatencyTask[] = [
      { name: PORT_CALLS.direct, fn: () => ledger.echo(sampleEntry, {}) },
      { name: PORT_CALLS.local, fn: () => local.echo(sampleEntry) },
      { name: PORT_CALLS.measured, fn: () => measured.echo(sampleEntry) },
      { name: PORT_CALLS.traced, fn: inRecordedSpan(() => measured.echo(sampleEntry)) },
      { name: PORT_CALLS.strict, fn: () => strict.echo(sampleEntry) },
    ];
    await answersAlike(tasks);

    // In-process calls take tinybench's precision; HTTP calls take turns call by call with
    // their floors, so a neighbour waking on this shared machine lands on both alike.
    const runs = quick ? 2 : 6;
    const calls = quick ? 100 : 1_500;
    const warmupCalls = quick ? 20 : WARMUP_ROUNDS;
    const samples = await latencyRuns(tasks, { runs, time: quick ? 100 : 200, warmupTime: quick ? 50 : 100, log });
    for (let r = 1; r <= runs; r++) {
      for (const [name, { p50, p99 }] of await callerRun({ kind: 'calls', calls, warmupCalls })) {
        const kept = samples.get(name) ?? { p50: [], p99: [] };
        samples.set(name, { p50: [...kept.p50, ...p50], p99: [...kept.p99, ...p99] });
      }
      log(`HTTP run ${r}/${runs} done`);
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
        `Median of ${runs} runs of each call's p50 latency, calls made one at a time; spread is the lowest and highest run. p99 is the median of the runs' p99. In-process calls are timed by tinybench; the four HTTP calls take turns call by call (${calls} rounds a run after ${warmupCalls} to warm up, each round begun by the next call in turn), and each ratio to the floor is taken within a run.`,
        'The echo contract is defined in the bench (bench/port-servers.ts), so no database is involved: input and output are the same four-field object.',
        'The HTTP port is called as a module calls it while serving a request: timed into the port-call histogram, inside the request\'s scope and trace (sampled out, as with no exporter), so the request id and traceparent go with the call. The callee runs the whole Carve HTTP app (request id, logging at silent, HTTP metrics, service token, deadline, contract version, the in-process port behind it); the floor is a bare Hono route called by a bare undici Pool with the same JSON.',
        'Each run of HTTP calls starts two processes afresh, both bundled by esbuild and run with the flags `npm start` uses: the callee (bench/port-servers.child.ts) and the caller, which also serves the same-process servers (bench/port-calls.child.ts). Two processes of the same code differ by more than a tenth in the ratio, so the spread shows that too.',
        'A tracer provider is registered with no exporter, as under `npm start`: "+ metrics" is the port a module is given (timed into the port-call histogram; no span of its own, since nobody records the trace); "+ a recorded span" runs the same call inside a sampled trace, as when OTEL_EXPORTER_OTLP_ENDPOINT is set.',
      ],
    };
    return result;
  } finally {
    await tracing.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  }
};

export default run;
