import type { Figure } from '../scenario.js';

/** median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** percentile p (0-100) of a non-empty list, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 100) / 100 : n);

/**
 * figure summarises repeated runs as their median and spread.
 *
 * @example figure('monolith, 16 clients', runs.map((r) => r.rps), 'req/s', { p99: 12 })
 */
export function figure(name: string, values: readonly number[], unit: Figure['unit'], extra?: Figure['extra']): Figure {
  return { name, median: round(median(values)), min: round(Math.min(...values)), max: round(Math.max(...values)), unit, extra };
}
