import { type Bucket, histogramQuantile } from './histogram-quantile.js';

type Labels = Partial<Record<string, string | number>>;

/** What the window reads: a prom-client Histogram, or anything whose get() answers the same way. */
export interface HistogramLike {
  get(): Promise<{ values: readonly { value: number; metricName?: string; labels: Labels }[] }>;
}

/** A histogram the window samples, and how its label sets fold into edges. */
export interface WindowSource {
  histogram: HistogramLike;
  /** The edge a series belongs to, such as `port:orders->payments`; undefined leaves it out. */
  edgeOf(labels: Labels): string | undefined;
}

/** What an edge did over the window: calls (or events handed over) per second, errors per second, and latency. */
export interface EdgeRate {
  callsPerSecond: number;
  errorsPerSecond: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

interface EdgeTotals {
  count: number;
  errors: number;
  /** Cumulative counts by upper bound, summed over every series of the edge. */
  buckets: Map<number, number>;
}

interface Snapshot {
  at: number;
  edges: Map<string, EdgeTotals>;
}

export interface MetricWindowOptions {
  sources: readonly WindowSource[];
  /** How far back rates and percentiles look. */
  windowMs?: number;
  /** How often the timer samples, once started. */
  intervalMs?: number;
  now?: () => number;
}

export interface MetricWindow {
  /** Reads every source's cumulative totals now. */
  sample(): Promise<void>;
  /** Samples unless the last sample is younger than half the interval: cheap to call on every request. */
  sampleIfStale(): Promise<void>;
  /** The edge's rates between the oldest sample in the window and the newest. */
  rate(edge: string): EdgeRate;
  start(): void;
  stop(): void;
}

const IDLE: EdgeRate = { callsPerSecond: 0, errorsPerSecond: 0, p50Ms: null, p99Ms: null };
const NOTHING: EdgeTotals = { count: 0, errors: 0, buckets: new Map() };

/**
 * createMetricWindow turns cumulative histograms into live numbers, as Prometheus's
 * rate() and histogram_quantile() would over a short range: it samples the totals every
 * couple of seconds, keeps the samples of the last window, and answers from the
 * difference between the oldest and the newest. Each series counts as a failure unless
 * its `outcome` label is `ok`.
 *
 * @example const w = createMetricWindow({ sources: [{ histogram: metrics.portCalls, edgeOf: (l) => `port:${l.caller}->${l.module}` }] }); w.start()
 */
export function createMetricWindow({ sources, windowMs = 30_000, intervalMs = 2_000, now = Date.now }: MetricWindowOptions): MetricWindow {
  const snapshots: Snapshot[] = [];
  let timer: NodeJS.Timeout | undefined;

  async function sample() {
    const edges = new Map<string, EdgeTotals>();
    for (const source of sources) {
      for (const { value, metricName = '', labels } of (await source.histogram.get()).values) {
        const key = source.edgeOf(labels);
        if (!key) continue;
        const totals = edges.get(key) ?? { count: 0, errors: 0, buckets: new Map<number, number>() };
        edges.set(key, totals);
        if (metricName.endsWith('_count')) {
          totals.count += value;
          if (labels.outcome !== undefined && labels.outcome !== 'ok') totals.errors += value;
        } else if (metricName.endsWith('_bucket')) {
          const le = labels.le === '+Inf' ? Number.POSITIVE_INFINITY : Number(labels.le);
          totals.buckets.set(le, (totals.buckets.get(le) ?? 0) + value);
        }
      }
    }
    const at = now();
    snapshots.push({ at, edges });
    // Keep one sample at or before the window's start: the baseline the differences are taken from.
    while (snapshots.length > 2 && snapshots[1]!.at <= at - windowMs) snapshots.shift();
  }

  function rate(edge: string): EdgeRate {
    const first = snapshots[0];
    const last = snapshots.at(-1);
    const latest = last?.edges.get(edge);
    if (!first || !last || first === last || !latest) return IDLE;
    let base = first.edges.get(edge) ?? NOTHING;
    // Fewer calls than before means the counters started again (a new registry): count from zero.
    if (base.count > latest.count) base = NOTHING;
    const seconds = (last.at - first.at) / 1000;
    const buckets: Bucket[] = [...latest.buckets].map(([le, count]) => ({ le, count: count - (base.buckets.get(le) ?? 0) }));
    const ms = (q: number) => {
      const seconds = histogramQuantile(q, buckets);
      return seconds === null ? null : seconds * 1000;
    };
    return {
      callsPerSecond: (latest.count - base.count) / seconds,
      errorsPerSecond: (latest.errors - base.errors) / seconds,
      p50Ms: ms(0.5),
      p99Ms: ms(0.99),
    };
  }

  return {
    sample,
    async sampleIfStale() {
      const last = snapshots.at(-1);
      if (!last || now() - last.at >= intervalMs / 2) await sample();
    },
    rate,
    start() {
      if (timer) return;
      // A failed sample leaves a gap in the window, nothing worse.
      const tick = () => void sample().catch(() => undefined);
      tick();
      timer = setInterval(tick, intervalMs);
      // Sampling must never be what keeps a process alive.
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
