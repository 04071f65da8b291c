import { sameJson } from './stable-json.js';
import { type Direction, type Effect, type SchemaChange, breaks, show } from './schema-change.js';
import type { JsonSchema } from './snapshot-contract.js';

/** A rule compares one group of keywords of two schemas at the same place. */
type Rule = (before: JsonSchema, after: JsonSchema, direction: Direction, path: string) => SchemaChange[];

const change = (path: string, effect: Effect, direction: Direction, text: string): SchemaChange => ({
  path,
  change: text,
  breaking: breaks(effect, direction),
});

const typesOf = (s: JsonSchema): string[] | undefined =>
  s.type === undefined ? undefined : Array.isArray(s.type) ? s.type.map(String) : [String(s.type)];

/** covers tells whether a type list allows a type: every integer is a number too. */
const covers = (types: string[], type: string) => types.includes(type) || (type === 'integer' && types.includes('number'));

/** typeRule: a type dropped narrows the schema, a type added widens it; null is nullability. */
export const typeRule: Rule = (before, after, direction, path) => {
  const was = typesOf(before);
  const now = typesOf(after);
  if (was === undefined && now === undefined) return [];
  if (was === undefined) return [change(path, 'narrowed', direction, `type restricted to ${now!.join('|')}`)];
  if (now === undefined) return [change(path, 'widened', direction, `type restriction ${was.join('|')} removed`)];
  const out: SchemaChange[] = [];
  const removed = was.filter((t) => !covers(now, t));
  const added = now.filter((t) => !covers(was, t));
  if (removed.includes('null')) out.push(change(path, 'narrowed', direction, 'no longer nullable'));
  if (added.includes('null')) out.push(change(path, 'widened', direction, 'became nullable'));
  const dropped = removed.filter((t) => t !== 'null');
  const gained = added.filter((t) => t !== 'null');
  const from = was.filter((t) => t !== 'null').join('|');
  const to = now.filter((t) => t !== 'null').join('|');
  if (dropped.length > 0 && gained.length > 0) out.push(change(path, 'both', direction, `type changed from ${from} to ${to}`));
  else if (dropped.length > 0) out.push(change(path, 'narrowed', direction, `type narrowed from ${from} to ${to}`));
  else if (gained.length > 0) out.push(change(path, 'widened', direction, `type widened from ${from} to ${to}`));
  return out;
};

/** The values a schema allows by listing them: `enum`, or `const` as a list of one. */
const valuesOf = (s: JsonSchema): unknown[] | undefined =>
  Array.isArray(s.enum) ? s.enum : s.const !== undefined ? [s.const] : undefined;

/** enumRule: a value removed narrows the schema, a value added widens it. */
export const enumRule: Rule = (before, after, direction, path) => {
  const was = valuesOf(before);
  const now = valuesOf(after);
  if (was === undefined && now === undefined) return [];
  if (was === undefined) return [change(path, 'narrowed', direction, `restricted to the values ${show(now)}`)];
  if (now === undefined) return [change(path, 'widened', direction, `restriction to the values ${show(was)} removed`)];
  const missing = (from: unknown[], to: unknown[]) => from.filter((v) => !to.some((w) => sameJson(v, w)));
  const removed = missing(was, now);
  const added = missing(now, was);
  const out: SchemaChange[] = [];
  if (removed.length > 0) out.push(change(path, 'narrowed', direction, `value ${removed.map(show).join(', ')} removed`));
  if (added.length > 0) out.push(change(path, 'widened', direction, `value ${added.map(show).join(', ')} added`));
  return out;
};

const LOWER_BOUNDS = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'];
const UPPER_BOUNDS = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'];

/** boundsRule: a lower bound raised or an upper bound lowered narrows; the reverse widens. */
export const boundsRule: Rule = (before, after, direction, path) => {
  const out: SchemaChange[] = [];
  for (const keyword of [...LOWER_BOUNDS, ...UPPER_BOUNDS]) {
    const was = before[keyword];
    const now = after[keyword];
    if (sameJson(was, now)) continue;
    const lower = LOWER_BOUNDS.includes(keyword);
    if ((was !== undefined && typeof was !== 'number') || (now !== undefined && typeof now !== 'number')) {
      out.push(change(path, 'both', direction, `${keyword} changed from ${show(was)} to ${show(now)}, which this check cannot read`));
      continue;
    }
    if (was === undefined) out.push(change(path, 'narrowed', direction, `${keyword} ${show(now)} added`));
    else if (now === undefined) out.push(change(path, 'widened', direction, `${keyword} ${show(was)} removed`));
    else if (typeof was === 'number' && typeof now === 'number') {
      const raised = now > was;
      const effect: Effect = raised === lower ? 'narrowed' : 'widened';
      out.push(change(path, effect, direction, `${keyword} ${raised ? 'raised' : 'lowered'} from ${was} to ${now}`));
    }
  }
  return out;
};

/** exactRule: `format`, `pattern` and `multipleOf` added narrow, removed widen, changed do both. */
export const exactRule: Rule = (before, after, direction, path) => {
  const out: SchemaChange[] = [];
  for (const keyword of ['format', 'pattern', 'multipleOf']) {
    const was = before[keyword];
    const now = after[keyword];
    if (sameJson(was, now)) continue;
    if (was === undefined) out.push(change(path, 'narrowed', direction, `${keyword} ${show(now)} added`));
    else if (now === undefined) out.push(change(path, 'widened', direction, `${keyword} ${show(was)} removed`));
    else out.push(change(path, 'both', direction, `${keyword} changed from ${show(was)} to ${show(now)}`));
  }
  return out;
};

/**
 * defaultRule: a caller that leaves an input field out gets its default, so a default
 * changed or removed changes what such a caller asks for. An output carries the value
 * itself, so there the default does not matter.
 */
export const defaultRule: Rule = (before, after, direction, path) => {
  const was = before.default;
  const now = after.default;
  if (direction === 'output' || sameJson(was, now) || was === undefined) return [];
  const text = now === undefined ? `default ${show(was)} removed` : `default changed from ${show(was)} to ${show(now)}`;
  return [{ path, change: `${text}: callers that leave it out now ask for something else`, breaking: true }];
};

/** The keywords these rules read. */
export const KEYWORD_RULE_KEYWORDS = ['type', 'enum', 'const', ...LOWER_BOUNDS, ...UPPER_BOUNDS, 'format', 'pattern', 'multipleOf', 'default'];
