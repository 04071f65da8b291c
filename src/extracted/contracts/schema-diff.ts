import { KEYWORD_RULE_KEYWORDS, boundsRule, defaultRule, enumRule, exactRule, typeRule } from './keyword-rules.js';
import { OBJECT_RULE_KEYWORDS, additionalPropertiesRule, itemsRule, propertiesRule } from './object-rules.js';
import { type CompareSchemas, type Direction, type SchemaChange, breaks, show } from './schema-change.js';
import type { JsonSchema } from './snapshot-contract.js';
import { sameJson } from './stable-json.js';

/** Keywords that describe a schema without changing what it allows. */
const ANNOTATIONS = new Set(['$schema', '$comment', 'title', 'description', 'examples', 'deprecated', 'readOnly', 'writeOnly', 'id']);
const UNDERSTOOD = new Set([...ANNOTATIONS, ...KEYWORD_RULE_KEYWORDS, ...OBJECT_RULE_KEYWORDS, 'anyOf']);

const NULL_BRANCH = (s: JsonSchema) => s.type === 'null' && Object.keys(s).every((k) => k === 'type' || ANNOTATIONS.has(k));

/** A schema's union options: its `anyOf`, or the schema itself as the only option. */
function optionsOf(s: JsonSchema): JsonSchema[] {
  if (!Array.isArray(s.anyOf)) return [s];
  return s.anyOf as JsonSchema[];
}

/** Outside a union's options, what a union schema says of itself; zod puts only a default or notes there. */
const unionRest = (s: JsonSchema): JsonSchema => (Array.isArray(s.anyOf) ? Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'anyOf')) : {});

/**
 * compareUnions pairs up the options of two unions (zod writes `.nullable()` of an
 * object, and unions of objects, as `anyOf`). Identical options pair off; a lone `null`
 * option is nullability; one option left on each side is the same option changed and is
 * walked into; anything else is options removed (narrower) and added (wider).
 */
function compareUnions(before: JsonSchema, after: JsonSchema, direction: Direction, path: string, compare: CompareSchemas): SchemaChange[] {
  const was = optionsOf(before).filter((a) => !optionsOf(after).some((b) => sameJson(a, b)));
  const now = optionsOf(after).filter((b) => !optionsOf(before).some((a) => sameJson(a, b)));
  const out: SchemaChange[] = compare(unionRest(before), unionRest(after), path);
  const wasNull = was.filter(NULL_BRANCH);
  const nowNull = now.filter(NULL_BRANCH);
  if (wasNull.length > 0) out.push({ path, change: 'no longer nullable', breaking: breaks('narrowed', direction) });
  if (nowNull.length > 0) out.push({ path, change: 'became nullable', breaking: breaks('widened', direction) });
  const oldOptions = was.filter((s) => !NULL_BRANCH(s));
  const newOptions = now.filter((s) => !NULL_BRANCH(s));
  if (oldOptions.length === 1 && newOptions.length === 1) return [...out, ...compare(oldOptions[0]!, newOptions[0]!, path)];
  for (const s of oldOptions) out.push({ path, change: `union option ${show(s)} removed`, breaking: breaks('narrowed', direction) });
  for (const s of newOptions) out.push({ path, change: `union option ${show(s)} added`, breaking: breaks('widened', direction) });
  return out;
}

/**
 * compareSchemas lists how a zod-written JSON Schema changed, and whether each change
 * breaks callers on that side of the wire (`input`: what they send; `output`: what they
 * read). Every keyword it does not understand that differs is reported as breaking,
 * so a change it cannot judge fails safe and goes to a person.
 *
 * @example compareSchemas(snapshot.methods.reserve.input, current.methods.reserve.input, 'input', 'input')
 */
export function compareSchemas(before: JsonSchema, after: JsonSchema, direction: Direction, path: string): SchemaChange[] {
  if (sameJson(before, after)) return [];
  const compare: CompareSchemas = (a, b, at) => compareSchemas(a, b, direction, at);
  if (Array.isArray(before.anyOf) || Array.isArray(after.anyOf)) {
    return [...defaultRule(before, after, direction, path), ...compareUnions(withoutDefault(before), withoutDefault(after), direction, path, compare)];
  }
  const changes = [
    ...typeRule(before, after, direction, path),
    ...enumRule(before, after, direction, path),
    ...boundsRule(before, after, direction, path),
    ...exactRule(before, after, direction, path),
    ...defaultRule(before, after, direction, path),
    ...propertiesRule(before, after, direction, path, compare),
    ...additionalPropertiesRule(before, after, direction, path, compare),
    ...itemsRule(before, after, path, compare),
  ];
  for (const keyword of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (UNDERSTOOD.has(keyword) || sameJson(before[keyword], after[keyword])) continue;
    changes.push({
      path,
      change: `"${keyword}" changed from ${show(before[keyword])} to ${show(after[keyword])}: this check cannot judge it, so it counts as breaking; review it by hand`,
      breaking: true,
    });
  }
  return changes;
}

const withoutDefault = (s: JsonSchema): JsonSchema => Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'default'));
