import { z } from 'zod';
import type { AnyContract } from '../../shared/contract/define-contract.js';

/** A JSON Schema as zod writes it. */
export type JsonSchema = Record<string, unknown>;

const Schema = z.record(z.string(), z.unknown());

/** The snapshot file of one contract, `contracts/<module>.json`: what callers of this version rely on. */
export const ContractSnapshot = z.object({
  module: z.string(),
  version: z.number().int(),
  errors: z.record(z.string(), z.object({ status: z.number().int(), data: Schema.optional() })),
  methods: z.record(
    z.string(),
    z.object({
      input: Schema,
      output: Schema,
      errors: z.array(z.string()),
      idempotent: z.boolean(),
      idempotencyKey: z.string().nullable(),
    }),
  ),
  events: z.record(z.string(), z.object({ version: z.number().int(), aggregate: z.string(), payload: Schema })),
});
export type ContractSnapshot = z.output<typeof ContractSnapshot>;
export type MethodSnapshot = ContractSnapshot['methods'][string];
export type EventSnapshot = ContractSnapshot['events'][string];

/**
 * schemaOf writes a zod schema as JSON Schema, for the side of the wire it describes:
 * what a caller may send (`input`: defaults make a field optional) or what it gets
 * back (`output`: every field the parser fills in). `$schema` is dropped: it is the
 * same in every file and only adds noise to each entry.
 *
 * @example schemaOf(z.object({ id: Id }), 'input', 'orders.getOrder input')
 */
export function schemaOf(schema: z.ZodType, io: 'input' | 'output', where: string): JsonSchema {
  try {
    const { $schema: _, ...rest } = z.toJSONSchema(schema, { io }) as JsonSchema;
    return rest;
  } catch (err) {
    throw new Error(`${where} cannot be written as JSON Schema: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * snapshotContract records a contract as plain JSON: its version, each method's input
 * and output schemas, declared errors and retry safety, and each event's version and
 * payload. Event payloads are outputs: the publisher produces them.
 *
 * @example await writeFile('contracts/catalog.json', stableJson(snapshotContract(catalogContract)))
 */
export function snapshotContract(contract: AnyContract): ContractSnapshot {
  const name = contract.name;
  return {
    module: name,
    version: contract.version,
    errors: Object.fromEntries(
      Object.entries(contract.errors).map(([code, spec]) => [
        code,
        spec.data ? { status: spec.status, data: schemaOf(spec.data, 'output', `${name} error ${code} data`) } : { status: spec.status },
      ]),
    ),
    methods: Object.fromEntries(
      Object.entries(contract.methods).map(([method, spec]) => [
        method,
        {
          input: schemaOf(spec.input, 'input', `${name}.${method} input`),
          output: schemaOf(spec.output, 'output', `${name}.${method} output`),
          errors: [...(spec.errors ?? [])].sort(),
          idempotent: spec.idempotent === true,
          idempotencyKey: spec.idempotencyKey ?? null,
        },
      ]),
    ),
    events: Object.fromEntries(
      Object.entries(contract.events).map(([event, ref]) => [
        event,
        { version: ref.version, aggregate: ref.aggregate, payload: schemaOf(ref.payload, 'output', `${name}.${event} payload`) },
      ]),
    ),
  };
}
