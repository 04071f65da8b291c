// Where an HTTP port call's time goes: each layer of Carve's port added in turn to a bare
// undici → Hono round trip, timed call by call in fresh bundled processes. Run it by name
// (`npm run bench -- --only port-layers`); the full run leaves it out to stay under 10 minutes.
import { figureOf } from '../latency-runs.js';
import { WARMUP_ROUNDS } from '../port-calls.js';
import { LAYERS } from '../port-layers.js';
import type { Scenario } from '../scenario.js';
import { callerRun } from '../support/port-processes.js';
import { median } from '../support/stats.js';

const run: Scenario = async ({ quick, log }) => {
  const runs = quick ? 1 : 5;
  const calls = quick ? 100 : 1_500;
  const warmupCalls = quick ? 20 : WARMUP_ROUNDS;
  const p50s = new Map<string, number[]>(LAYERS.map((name) => [name, []]));
  for (let r = 1; r <= runs; r++) {
    const samples = await callerRun({ kind: 'layers', calls, warmupCalls });
    for (const name of LAYERS) p50s.get(name)!.push(...samples.get(name)!.p50);
    log(`run ${r}/${runs} done`);
  }
  const floor = p50s.get(LAYERS[0])!;
  // Each layer's ratio to the floor is taken within a run, and its step over the layer before too.
  const ratio = (name: string) => median(p50s.get(name)!.map((p, i) => p / floor[i]!));
  const figures = LAYERS.map((name, i) =>
    figureOf(name, p50s.get(name)!, 'µs', {
      '÷ floor': ratio(name).toFixed(3),
      'step ÷ floor': i === 0 ? '' : `+${(ratio(name) - ratio(LAYERS[i - 1]!)).toFixed(3)}`,
    }),
  );
  return {
    title: "Where an HTTP port call's time goes",
    figures,
    notes: [
      `Median of ${runs} runs of each layer's p50 latency, each run in a fresh callee and a fresh caller process, both bundled as Carve's processes are; the seven calls take turns call by call (${calls} rounds a run after ${warmupCalls} to warm up, each round begun by the next call in turn).`,
      "Every layer but the floor calls the same Carve HTTP app in the callee (request id, trace context, service token, deadline, contract version, the in-process port behind it), so the second row is the callee's whole price, and each row after it adds one part of the caller's.",
      "Here six of every seven calls run Carve's code; the port scenario's mix is half floor calls, and its ratio is higher. Timing that scenario's calls in blocks of 50 rather than one by one lowered its ratio only from 1.57 to 1.52 in one trial, so how warm the mix keeps Carve's code in the CPU's caches is not the whole of the difference.",
    ],
  };
};

export default run;
