import type { z } from 'zod';
import type { AnyContract, MethodSpec } from './define-contract.js';
import { PortError } from './port-error.js';

/**
 * BoundaryViolation means a value broke the contract at a port: a caller sent bad
 * input or an implementation returned bad output. Either is a bug, so it is a 500
 * at the edge, logged with the details the client never sees.
 */
export class BoundaryViolation extends Error {
  override readonly name = 'BoundaryViolation';
  constructor(
    readonly where: string,
    readonly issues: z.core.$ZodIssue[],
  ) {
    super(`${where} broke the contract: ${issues.map((i) => `${i.path.join('.') || '$'} ${i.message}`).join('; ')}`);
  }
}

/** parseAt parses a value against a schema and names the boundary when it fails. */
export function parseAt<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new BoundaryViolation(where, result.error.issues);
  return result.data;
}

/**
 * checkRaised lets a declared error of the called method through, with its data parsed,
 * and turns a declared error of the wrong method or module into a boundary violation.
 * Undeclared errors of any other kind pass unchanged: they are bugs and become a 500.
 */
export function checkRaised(contract: AnyContract, name: string, spec: MethodSpec, err: unknown): unknown {
  if (!(err instanceof PortError)) return err;
  const where = `${contract.name}.${name}`;
  if (err.module !== contract.name || !spec.errors?.includes(err.code)) {
    return new Error(`${where} raised ${err.module}:${err.code}, which it does not declare`, { cause: err });
  }
  const dataSchema = contract.errors[err.code]?.data;
  if (dataSchema) parseAt(dataSchema, err.data, `${where} error ${err.code} data`);
  return err;
}
