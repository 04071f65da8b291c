import { sameJson } from './stable-json.js';
import type { CompareSchemas, Direction, SchemaChange } from './schema-change.js';
import type { JsonSchema } from './snapshot-contract.js';

const propertiesOf = (s: JsonSchema) => (s.properties ?? {}) as Record<string, JsonSchema>;
const requiredOf = (s: JsonSchema) => new Set(Array.isArray(s.required) ? s.required.map(String) : []);
const fieldPath = (path: string, key: string) => `${path}.${key}`;

/** What happens to one field that only one side has, from the callers' point of view. */
function fieldAddedOrRemoved(key: string, path: string, direction: Direction, added: boolean, required: boolean): SchemaChange {
  const at = fieldPath(path, key);
  if (direction === 'input') {
    if (!added) return { path: at, change: 'input field removed: callers that send it would have it ignored', breaking: true };
    return required
      ? { path: at, change: 'required input field added: callers that do not send it are refused', breaking: true }
      : { path: at, change: 'optional input field added', breaking: false };
  }
  // Callers parse replies with zod, which drops fields it does not know: a new one is harmless.
  if (added) return { path: at, change: `output field added${required ? '' : ' (optional)'}`, breaking: false };
  return { path: at, change: `output field removed${required ? '' : ' (it was optional)'}: callers that read it get nothing`, breaking: true };
}

/**
 * propertiesRule compares an object's fields: fields added and removed, fields that
 * became optional or required, and each shared field's own schema, through `compare`.
 * Loosening an output field (required to optional) and tightening an input field
 * (optional to required) break callers; the reverse does not.
 *
 * @example propertiesRule(before, after, 'output', 'output', (a, b, at) => compareSchemas(a, b, 'output', at))
 */
export function propertiesRule(before: JsonSchema, after: JsonSchema, direction: Direction, path: string, compare: CompareSchemas): SchemaChange[] {
  const was = propertiesOf(before);
  const now = propertiesOf(after);
  const wasRequired = requiredOf(before);
  const nowRequired = requiredOf(after);
  const out: SchemaChange[] = [];
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    if (!Object.hasOwn(now, key)) out.push(fieldAddedOrRemoved(key, path, direction, false, wasRequired.has(key)));
    else if (!Object.hasOwn(was, key)) out.push(fieldAddedOrRemoved(key, path, direction, true, nowRequired.has(key)));
    else {
      const at = fieldPath(path, key);
      if (wasRequired.has(key) && !nowRequired.has(key)) {
        out.push({ path: at, change: 'required became optional', breaking: direction === 'output' });
      }
      if (!wasRequired.has(key) && nowRequired.has(key)) {
        out.push({ path: at, change: 'optional became required', breaking: direction === 'input' });
      }
      out.push(...compare(was[key]!, now[key]!, at));
    }
  }
  // A required name with no property schema: zod never writes one, so it is a change this check cannot read.
  for (const key of new Set([...wasRequired, ...nowRequired])) {
    if (Object.hasOwn(was, key) || Object.hasOwn(now, key) || wasRequired.has(key) === nowRequired.has(key)) continue;
    out.push({ path: fieldPath(path, key), change: 'required without a property schema changed, which this check cannot read', breaking: true });
  }
  return out;
}

/** `additionalProperties` as a schema: absent or true allows anything, false nothing. */
type Extra = 'any' | 'none' | JsonSchema;
const extraOf = (s: JsonSchema): Extra =>
  s.additionalProperties === undefined || s.additionalProperties === true
    ? 'any'
    : s.additionalProperties === false
      ? 'none'
      : (s.additionalProperties as JsonSchema);

/**
 * additionalPropertiesRule compares what an object allows beyond its named fields:
 * nothing (zod's strict objects and every output), anything, or values of one schema
 * (a record), walked into as `<path>.*`.
 *
 * @example additionalPropertiesRule({}, { additionalProperties: false }, 'input', 'input', compare) // narrowed: breaking
 */
export function additionalPropertiesRule(before: JsonSchema, after: JsonSchema, direction: Direction, path: string, compare: CompareSchemas): SchemaChange[] {
  const was = extraOf(before);
  const now = extraOf(after);
  if (sameJson(was, now)) return [];
  if (typeof was === 'object' && typeof now === 'object') return compare(was, now, `${path}.*`);
  // From nothing towards anything is wider; from anything towards nothing narrower; a schema sits between.
  const rank = (e: Extra) => (e === 'none' ? 0 : e === 'any' ? 2 : 1);
  const widened = rank(now) > rank(was);
  const describe = (e: Extra) => (e === 'none' ? 'no other fields' : e === 'any' ? 'any other field' : 'other fields of a schema');
  return [{
    path,
    change: `allows ${describe(now)} instead of ${describe(was)}`,
    breaking: widened ? direction === 'output' : direction === 'input',
  }];
}

/**
 * itemsRule walks into an array's item schema as `<path>[]`; no `items` allows any item.
 *
 * @example itemsRule(before, after, 'input.items', compare) // changes at input.items[].quantity, say
 */
export function itemsRule(before: JsonSchema, after: JsonSchema, path: string, compare: CompareSchemas): SchemaChange[] {
  if (before.items === undefined && after.items === undefined) return [];
  const itemOf = (s: JsonSchema): JsonSchema => (s.items === undefined || s.items === true ? {} : s.items === false ? { not: {} } : (s.items as JsonSchema));
  return compare(itemOf(before), itemOf(after), `${path}[]`);
}

/** The keywords these rules read. */
export const OBJECT_RULE_KEYWORDS = ['properties', 'required', 'additionalProperties', 'items'];
