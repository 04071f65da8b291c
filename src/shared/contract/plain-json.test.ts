import { describe, expect, it } from 'vitest';
import { PlainJsonViolation, assertPlainJson } from './plain-json.js';

describe('assertPlainJson', () => {
  it('names the path of the first value JSON would change', () => {
    expect(() => assertPlainJson({ a: [1, { at: new Date(0) }] }, 'catalog.reserve input')).toThrow(
      new PlainJsonViolation('catalog.reserve input at $.a[1].at: a Date is not JSON: send an ISO 8601 string'),
    );
  });

  it('walks a value nested far deeper than the call stack allows without overflowing it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => assertPlainJson(deep, 'x')).not.toThrow();
  });
});
