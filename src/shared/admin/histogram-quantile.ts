/** One cumulative histogram bucket: how many observations were at most `le` (Infinity for +Inf). */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * histogramQuantile estimates the q-quantile of a histogram the way Prometheus's
 * histogram_quantile does: find the bucket holding the q-th observation and interpolate
 * linearly inside it, taking 0 as the lower bound of the first bucket. An answer in the
 * +Inf bucket is the highest finite bound, as nothing more is known. No observations: null.
 *
 * @example histogramQuantile(0.99, [{ le: 0.01, count: 90 }, { le: 0.1, count: 100 }, { le: Infinity, count: 100 }]) // 0.091
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (bucket.le === Number.POSITIVE_INFINITY) return lower;
      const inBucket = bucket.count - below;
      return inBucket <= 0 ? bucket.le : lower + (bucket.le - lower) * ((rank - below) / inBucket);
    }
    lower = bucket.le;
    below = bucket.count;
  }
  return lower;
}
