import type { JsonSchema } from './snapshot-contract.js';

/**
 * Which side of the wire a schema describes. An input is what callers send, so a schema
 * that accepts less breaks them; an output (a reply, an event payload) is what callers
 * read, so a schema that may produce more breaks them.
 */
export type Direction = 'input' | 'output';

/** How a change moved the set of values a schema allows. */
export type Effect = 'narrowed' | 'widened' | 'both';

/** SchemaChange is one difference inside a schema: where (`input.items[].quantity`), what, and whether it breaks callers. */
export interface SchemaChange {
  path: string;
  change: string;
  breaking: boolean;
}

/** Compares one pair of sub-schemas; the keyword rules use it to walk into fields and items. */
export type CompareSchemas = (before: JsonSchema, after: JsonSchema, path: string) => SchemaChange[];

/**
 * breaks tells whether a change with this effect breaks callers on this side: a narrowed
 * input refuses what they send, a widened output gives them what they do not expect.
 *
 * @example breaks('narrowed', 'input') // true: what callers send may now be refused
 */
export function breaks(effect: Effect, direction: Direction): boolean {
  return effect === 'both' || effect === (direction === 'input' ? 'narrowed' : 'widened');
}

/** show writes a schema value short enough for one line of output. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
