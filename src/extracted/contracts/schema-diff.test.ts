import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Direction } from './schema-change.js';
import { compareSchemas } from './schema-diff.js';
import { schemaOf } from './snapshot-contract.js';

/** What changed from `before` to `after` on one side of the wire, as `contracts check` would report it. */
const changes = (before: z.ZodType, after: z.ZodType, direction: Direction) =>
  compareSchemas(schemaOf(before, direction, 'before'), schemaOf(after, direction, 'after'), direction, direction);

/** The verdicts alone, one per change: what a user acts on. */
const verdicts = (before: z.ZodType, after: z.ZodType, direction: Direction) =>
  changes(before, after, direction).map((c) => (c.breaking ? 'breaking' : 'compatible'));

const Item = z.object({ sku: z.string(), quantity: z.number().int().min(1).max(100) });

describe('a schema that did not change', () => {
  it('reports nothing, even when only a description differs', () => {
    expect(changes(Item, Item.describe('an item'), 'input')).toEqual([]);
    expect(changes(Item, z.object({ quantity: Item.shape.quantity, sku: z.string() }), 'output')).toEqual([]);
  });
});

describe('inputs: what callers send', () => {
  it.each([
    ['a new required field', Item, Item.extend({ note: z.string() })],
    ['a field that became required', Item.extend({ gift: z.boolean().optional() }), Item.extend({ gift: z.boolean() })],
    ['a raised minimum', Item, Item.extend({ quantity: z.number().int().min(2).max(100) })],
    ['a lowered maximum', Item, Item.extend({ quantity: z.number().int().min(1).max(50) })],
    ['an integer where any number was taken', Item.extend({ quantity: z.number().min(1).max(100) }), Item],
    ['a changed type', Item, Item.extend({ sku: z.number() })],
    ['a pattern added', Item, Item.extend({ sku: z.string().regex(/^[A-Z]+$/) })],
    ['a format added', Item, Item.extend({ sku: z.email() })],
    ['a removed field', Item, z.object({ sku: z.string() })],
  ])('breaks callers with %s', (_, before, after) => {
    expect(verdicts(before, after, 'input')).toContain('breaking');
  });

  it('breaks callers when an enum value is removed, and names the value', () => {
    const found = changes(z.object({ size: z.enum(['s', 'm', 'l']) }), z.object({ size: z.enum(['s', 'm']) }), 'input');
    expect(found).toEqual([{ path: 'input.size', change: 'value "l" removed', breaking: true }]);
  });

  it('breaks callers when null is no longer accepted', () => {
    expect(verdicts(z.object({ note: z.string().nullable() }), z.object({ note: z.string() }), 'input')).toEqual(['breaking']);
    const Box = z.object({ w: z.number() });
    expect(verdicts(z.object({ box: Box.nullable() }), z.object({ box: Box }), 'input')).toEqual(['breaking']);
  });

  it.each([
    ['a new optional field', Item, Item.extend({ note: z.string().optional() })],
    ['a new field with a default', Item, Item.extend({ note: z.string().default('') })],
    ['a field that became optional', Item, Item.extend({ sku: z.string().optional() })],
    ['a lowered minimum and a raised maximum', Item, Item.extend({ quantity: z.number().int().min(0).max(1000) })],
    ['an enum value added', z.object({ size: z.enum(['s']) }), z.object({ size: z.enum(['s', 'm']) })],
    ['null accepted', Item, Item.extend({ sku: z.string().nullable() })],
    ['a pattern dropped', z.object({ sku: z.string().regex(/^[A-Z]+$/) }), z.object({ sku: z.string() })],
  ])('is compatible with %s', (_, before, after) => {
    const found = verdicts(before, after, 'input');
    expect(found.length).toBeGreaterThan(0);
    expect(found).not.toContain('breaking');
  });

  it('breaks callers that leave a field out when its default changes', () => {
    expect(verdicts(Item.extend({ note: z.string().default('a') }), Item.extend({ note: z.string().default('b') }), 'input')).toEqual(['breaking']);
  });

  it('walks into arrays and names the path', () => {
    const found = changes(z.object({ items: z.array(Item) }), z.object({ items: z.array(Item.extend({ quantity: z.number().int().min(1).max(10) })) }), 'input');
    expect(found).toEqual([{ path: 'input.items[].quantity', change: 'maximum lowered from 100 to 10', breaking: true }]);
  });
});

describe('outputs: what callers read', () => {
  it.each([
    ['a removed field', Item, z.object({ sku: z.string() })],
    ['a field that became optional', Item, Item.extend({ sku: z.string().optional() })],
    ['a field that became nullable', Item, Item.extend({ sku: z.string().nullable() })],
    ['a widened type', Item, Item.extend({ quantity: z.number() })],
    ['an enum value added', z.object({ size: z.enum(['s']) }), z.object({ size: z.enum(['s', 'm']) })],
    ['a raised maximum', Item, Item.extend({ quantity: z.number().int().min(1).max(1000) })],
    ['an optional field removed', Item.extend({ note: z.string().optional() }), Item],
  ])('breaks callers with %s', (_, before, after) => {
    expect(verdicts(before, after, 'output')).toContain('breaking');
  });

  it.each([
    ['a new field', Item, Item.extend({ note: z.string() })],
    ['a field that became required', Item.extend({ note: z.string().optional() }), Item.extend({ note: z.string() })],
    ['an enum value removed', z.object({ size: z.enum(['s', 'm']) }), z.object({ size: z.enum(['s']) })],
    ['a narrower range', Item, Item.extend({ quantity: z.number().int().min(5).max(10) })],
    ['null no longer produced', Item.extend({ sku: z.string().nullable() }), Item],
  ])('is compatible with %s', (_, before, after) => {
    const found = verdicts(before, after, 'output');
    expect(found.length).toBeGreaterThan(0);
    expect(found).not.toContain('breaking');
  });
});

describe('changes the check cannot judge', () => {
  it('counts them as breaking, and says so', () => {
    // zod writes a tuple's positions as `prefixItems`, which the check does not read.
    const before = z.object({ pair: z.tuple([z.string(), z.number()]) });
    const after = z.object({ pair: z.tuple([z.string(), z.string()]) });
    for (const direction of ['input', 'output'] as const) {
      const found = changes(before, after, direction);
      expect(found.length).toBeGreaterThan(0);
      expect(found.every((c) => c.breaking)).toBe(true);
      expect(found).toEqual([expect.objectContaining({ path: `${direction}.pair`, change: expect.stringMatching(/"prefixItems" changed .*cannot judge it/) })]);
    }
  });

  it('counts a union option swapped for another as breaking both ways', () => {
    const before = z.union([z.object({ kind: z.literal('a') }), z.object({ kind: z.literal('b') })]);
    const after = z.union([z.object({ kind: z.literal('a') }), z.object({ kind: z.literal('c') })]);
    expect(verdicts(before, after, 'input')).toContain('breaking');
    expect(verdicts(before, after, 'output')).toContain('breaking');
  });
});
