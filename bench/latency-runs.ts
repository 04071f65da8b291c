import { Bench } from 'tinybench';
import type { Figure } from './scenario.js';
import { median, percentile } from './support/stats.js';

/** LatencyTask is one thing to time: a call made again and again, one at a time. */
export interface LatencyTask {
  name: string;
  fn: () => unknown;
}

/** Per task, one p50 and one p99 in µs for each repeated run. */
export type LatencySamples = Map<string, { p50: number[]; p99: number[] }>;

export interface LatencyRunOptions {
  runs: number;
  /** tinybench's time budget per task and run, in ms. */
  time: number;
  warmupTime: number;
  log: (line: string) => void;
}

/**
 * latencyRuns runs every task in one tinybench `runs` times and keeps each run's p50 and
 * p99. The tasks take turns within each run, so a machine that drifts (a CPU warming,
 * a neighbour waking) touches them alike instead of landing on one.
 *
 * @example const samples = await latencyRuns([{ name: 'direct', fn: () => impl.echo(x) }], { runs: 5, time: 1000, warmupTime: 250, log })
 */
export async function latencyRuns(tasks: LatencyTask[], opts: LatencyRunOptions): Promise<LatencySamples> {
  const samples: LatencySamples = new Map(tasks.map((t) => [t.name, { p50: [], p99: [] }]));
  for (let run = 1; run <= opts.runs; run++) {
    const bench = new Bench({ time: opts.time, warmupTime: opts.warmupTime, throws: true });
    for (const task of tasks) bench.add(task.name, task.fn);
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== 'completed') throw new Error(`${task.name} ended ${result.state}`);
      const kept = samples.get(task.name)!;
      kept.p50.push(result.latency.p50 * 1000);
      kept.p99.push(result.latency.p99 * 1000);
    }
    opts.log(`run ${run}/${opts.runs} done`);
  }
  return samples;
}

/**
 * alternatingRuns times calls too slow for tinybench's precision to matter (HTTP round
 * trips) call by call, taking turns: one call of each task, then the next round, each
 * round begun by the next task in turn. Every task then meets the same moments of a busy
 * shared machine, which a ratio of two tasks needs more than anything. Each run keeps
 * every task's p50 and p99, in µs.
 *
 * @example const samples = await alternatingRuns([port, floor], { runs: 5, calls: 2_000, warmupCalls: 200, log })
 */
export async function alternatingRuns(
  tasks: LatencyTask[],
  opts: { runs: number; calls: number; warmupCalls: number; log: (line: string) => void },
): Promise<LatencySamples> {
  const samples: LatencySamples = new Map(tasks.map((t) => [t.name, { p50: [], p99: [] }]));
  for (let i = 0; i < opts.warmupCalls; i++) for (const task of tasks) await task.fn();
  for (let run = 1; run <= opts.runs; run++) {
    const times = tasks.map(() => new Array<number>(opts.calls));
    for (let i = 0; i < opts.calls; i++) {
      // Each round begins with the next task in turn: a call right after another process's
      // answer is not placed like the first call of a round, and no task should always be it.
      for (let k = 0; k < tasks.length; k++) {
        const t = (i + k) % tasks.length;
        const started = performance.now();
        await tasks[t]!.fn();
        times[t]![i] = (performance.now() - started) * 1000;
      }
    }
    for (const [t, task] of tasks.entries()) {
      const kept = samples.get(task.name)!;
      kept.p50.push(percentile(times[t]!, 50));
      kept.p99.push(percentile(times[t]!, 99));
    }
    opts.log(`alternating run ${run}/${opts.runs} done`);
  }
  return samples;
}

/**
 * figureOf summarises repeated runs as a Figure: their median, with the lowest and
 * highest run as the spread.
 *
 * @example figureOf('direct call', [0.05, 0.06, 0.05], 'µs', { runs: 3 })
 */
export function figureOf(name: string, values: number[], unit: Figure['unit'], extra?: Figure['extra']): Figure {
  return { name, median: median(values), min: Math.min(...values), max: Math.max(...values), unit, ...(extra ? { extra } : {}) };
}
