import { describe, expect, it } from 'vitest';
import { PlainJsonViolation, assertPlainJson } from './plain-json.js';

describe('assertPlainJson', () => {
  it('names the path of the first value JSON would change', () => {
    expect(() => assertPlainJson({ a: [1, { at: new Date(0) }] }, 'catalog.reserve input')).toThrow(
      new PlainJsonViolation('catalog.reserve input at $.a[1].at: a Date is not JSON: send an ISO 8601 string'),
    );
  });

  it.each([
    ['undefined in an array', [1, undefined], '$[1]: undefined is not JSON: omit the field instead'],
    ['a hole in an array', new Array(3), '$[0]: undefined is not JSON: omit the field instead'],
    ['NaN', { n: Number.NaN }, '$.n: the number NaN has no JSON form'],
    ['a bigint', { n: 1n }, '$.n: a bigint is not JSON: send a string or a safe integer'],
    ['a function', { f: () => 1 }, '$.f: a function is not JSON'],
    ['a Map', { m: new Map() }, '$.m: an instance of Map is not plain JSON'],
  ])('refuses %s, naming where', (_, value, problem) => {
    expect(() => assertPlainJson(value, 'x')).toThrow(new PlainJsonViolation(`x at ${problem}`));
  });

  it('passes plain JSON, however it nests, and names a problem deep inside it', () => {
    let plain: unknown = { a: [1.5, 'x', null, true, {}], b: Object.create(null) };
    let bad: unknown = { at: new Date(0) };
    for (let i = 0; i < 40; i++) {
      plain = { a: [plain] };
      bad = { a: bad };
    }
    expect(() => assertPlainJson(plain, 'x')).not.toThrow();
    expect(() => assertPlainJson(bad, 'x')).toThrow(`x at $${'.a'.repeat(40)}.at: a Date is not JSON`);
  });

  it('walks a value nested far deeper than the call stack allows without overflowing it', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(() => assertPlainJson(deep, 'x')).not.toThrow();
  });
});
