/**
 * PlainJsonViolation is raised in strict mode when a value that would not survive
 * JSON tries to cross a port, so the bug shows in the in-process suite and not first
 * in production over HTTP.
 */
export class PlainJsonViolation extends Error {
  override readonly name = 'PlainJsonViolation';
}

function describe(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `the number ${value} has no JSON form`;
    case 'undefined':
      return 'undefined is not JSON: omit the field instead';
    case 'bigint':
      return 'a bigint is not JSON: send a string or a safe integer';
    case 'function':
    case 'symbol':
      return `a ${typeof value} is not JSON`;
    default: {
      if (value === null || Array.isArray(value)) return undefined;
      const proto = Object.getPrototypeOf(value);
      if (proto === Object.prototype || proto === null) return undefined;
      if (value instanceof Date) return 'a Date is not JSON: send an ISO 8601 string';
      return `an instance of ${(value as object).constructor?.name ?? "a class"} is not plain JSON`;
    }
  }
}

/** Deeper than any port's value; below it the quick check hands over to a walk that cannot overflow. */
const QUICK_DEPTH = 32;

/**
 * quickCheck is the check every port call's value gets: `ok` asked of every node,
 * recursively and building no path. It says false for a value it cannot vouch for (a
 * node `ok` refuses, or nesting deeper than QUICK_DEPTH), and a walk with its own stack
 * then names the problem or finds none.
 *
 * @example if (quickCheck(input, (node) => typeof node !== 'number' || Number.isFinite(node))) return undefined
 */
export function quickCheck(value: unknown, ok: (node: unknown) => boolean, depth = 0): boolean {
  if (!ok(value)) return false;
  if (value === null || typeof value !== 'object') return true;
  if (depth >= QUICK_DEPTH) return false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (!quickCheck(value[i], ok, depth + 1)) return false;
    return true;
  }
  const names = Object.keys(value);
  for (let i = 0; i < names.length; i++) if (!quickCheck((value as Record<string, unknown>)[names[i]!], ok, depth + 1)) return false;
  return true;
}

const isPlainNode = (node: unknown) => describe(node) === undefined;

/**
 * assertPlainJson walks a value and throws at the first part that JSON would change or
 * drop. The walk keeps its own stack, so a deeply nested value cannot overflow the call
 * stack; it runs only when the quick check has not vouched for the value.
 */
export function assertPlainJson(value: unknown, where: string): void {
  if (quickCheck(value, isPlainNode)) return;
  const stack: [unknown, string][] = [[value, '$']];
  while (stack.length > 0) {
    const [item, path] = stack.pop()!;
    const problem = describe(item);
    if (problem) throw new PlainJsonViolation(`${where} at ${path}: ${problem}`);
    if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}[${i}]`]);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, child] of Object.entries(item).reverse()) stack.push([child, `${path}.${key}`]);
    }
  }
}

/** toWire checks a value is plain JSON and returns a deep copy, exactly as a network hop would. */
export function toWire<T>(value: T, where: string): T {
  assertPlainJson(value, where);
  return JSON.parse(JSON.stringify(value)) as T;
}
