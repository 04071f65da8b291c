// Where an HTTP port call's time goes: each layer of Carve's port added in turn to a bare
// undici → Hono round trip, timed call by call in fresh bundled processes, all the layers
// taking turns together, then each layer taking turns with the floor alone. Run it by name
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
  // Then each layer again, taking turns with the floor alone: its code runs every other
  // call instead of six calls in seven, as in the port scenario's mix.
  const alone = new Map<string, number>();
  const aloneRuns = quick ? 1 : 3;
  for (const [i, name] of LAYERS.entries()) {
    if (i === 0) continue;
    const ratios: number[] = [];
    for (let r = 1; r <= aloneRuns; r++) {
      const samples = await callerRun({ kind: 'layers', calls, warmupCalls, layers: [i] });
      ratios.push(samples.get(name)!.p50[0]! / samples.get(LAYERS[0])!.p50[0]!);
    }
    alone.set(name, median(ratios));
    log(`layer ${i} of ${LAYERS.length - 1} alone with the floor: ${aloneRuns} runs done`);
  }
  const step = (values: (name: string) => number, i: number) => {
    if (i === 0) return '';
    const d = values(LAYERS[i]!) - values(LAYERS[i - 1]!);
    return `${d < 0 ? '−' : '+'}${Math.abs(d).toFixed(3)}`;
  };
  const aloneRatio = (name: string) => alone.get(name) ?? 1;
  const figures = LAYERS.map((name, i) =>
    figureOf(name, p50s.get(name)!, 'µs', {
      '÷ floor': ratio(name).toFixed(3),
      'step ÷ floor': step(ratio, i),
      '÷ floor, alone with it': aloneRatio(name).toFixed(3),
      'step, alone with it': step(aloneRatio, i),
    }),
  );
  return {
    title: "Where an HTTP port call's time goes",
    figures,
    notes: [
      `Median of ${runs} runs of each layer's p50 latency, each run in a fresh callee and a fresh caller process, both bundled as Carve's processes are; the seven calls take turns call by call (${calls} rounds a run after ${warmupCalls} to warm up, each round begun by the next call in turn).`,
      "Every layer but the floor calls the same Carve HTTP app in the callee (request id, trace context, service token, deadline, contract version, the in-process port behind it), so the second row is the callee's whole price, and each row after it adds one part of the caller's.",
      `Here six of every seven calls run Carve's code. The last two columns time each layer again, in ${aloneRuns} runs of its own (medians), taking turns with the floor alone, as the port scenario's mix does: Carve's code then runs every other call, and each layer costs more. One call at a time, the CPU sits idle between calls, and code that ran less recently runs slower; the steps of those columns come from separate runs, so one can be below zero.`,
    ],
  };
};

export default run;
