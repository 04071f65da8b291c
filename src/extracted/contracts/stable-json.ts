/**
 * sortKeys copies a JSON value with every object's keys in alphabetical order; arrays keep theirs.
 *
 * @example sortKeys({ b: 1, a: [{ d: 1, c: 2 }] }) // { a: [{ c: 2, d: 1 }], b: 1 }
 */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

/**
 * stableJson writes a value the way snapshot files are kept: sorted keys, two-space
 * indent, a trailing newline. The same contract always gives the same bytes, so a
 * snapshot's diff in review shows only what changed.
 *
 * @example await writeFile('contracts/orders.json', stableJson(snapshot))
 */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}

/**
 * sameJson tells whether two JSON values are equal, whatever the order of their keys.
 *
 * @example sameJson({ a: 1, b: 2 }, { b: 2, a: 1 }) // true
 */
export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
