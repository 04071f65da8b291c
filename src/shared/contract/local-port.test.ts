import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BoundaryViolation } from './boundary.js';
import { type Implementation, defineContract, method } from './define-contract.js';
import { createLocalPort } from './local-port.js';
import { PlainJsonViolation } from './plain-json.js';
import { PortError, contractError, isContractError } from './port-error.js';

const clockContract = defineContract({
  name: 'clock',
  version: 1,
  errors: {
    TOO_EARLY: { status: 409, title: 'Too early', data: z.object({ opensAt: z.string() }) },
    CLOSED: { status: 410, title: 'Closed' },
  },
  methods: {
    book: method({
      input: z.object({ slot: z.string(), note: z.string().optional() }),
      output: z.object({ slot: z.string(), at: z.string() }),
      errors: ['TOO_EARLY'],
      idempotencyKey: 'slot',
    }),
  },
});

function portWith(book: Implementation<typeof clockContract>['book'], strict = true) {
  return createLocalPort(clockContract, { book }, { strict });
}

describe('the in-process port', () => {
  it('parses input and output against the contract', async () => {
    const port = portWith(async ({ slot }) => ({ slot, at: '2026-01-01T00:00:00Z' }));
    await expect(port.book({ slot: 'a' })).resolves.toEqual({ slot: 'a', at: '2026-01-01T00:00:00Z' });
    // @ts-expect-error the compiler rejects a wrong input type, and so does the port at run time
    await expect(port.book({ slot: 42 })).rejects.toBeInstanceOf(BoundaryViolation);
  });

  it('rejects an implementation that returns output the contract does not allow', async () => {
    // @ts-expect-error at is missing: the compiler sees it, and the port does too
    const port = portWith(async ({ slot }) => ({ slot }));
    await expect(port.book({ slot: 'a' })).rejects.toThrow(/clock.book output broke the contract: at/);
  });

  it('in strict mode, refuses a Date on the way in, as JSON over HTTP would mangle it', async () => {
    const port = portWith(async ({ slot }) => ({ slot, at: 'x' }));
    await expect(port.book({ slot: new Date() as unknown as string })).rejects.toThrow(
      /clock.book input at \$.slot: a Date is not JSON/,
    );
  });

  it('in strict mode, refuses an explicit undefined, which JSON would drop', async () => {
    const port = portWith(async ({ slot }) => ({ slot, at: 'x' }));
    await expect(port.book({ slot: 'a', note: undefined })).rejects.toBeInstanceOf(PlainJsonViolation);
  });

  it('in strict mode, refuses a class instance coming back out', async () => {
    class At {
      toJSON() {
        return 'x';
      }
    }
    const port = portWith(async ({ slot }) => ({ slot, at: new At() as unknown as string }));
    await expect(port.book({ slot: 'a' })).rejects.toThrow(/output at \$.at: an instance of At/);
  });

  it('outside strict mode, lets the same Date through to validation only', async () => {
    const port = portWith(async ({ slot }) => ({ slot, at: 'x' }), false);
    await expect(port.book({ slot: new Date() as unknown as string })).rejects.toBeInstanceOf(BoundaryViolation);
  });

  it('hands the implementation a copy, so a callee cannot mutate the caller’s object', async () => {
    const input = { slot: 'a' };
    const port = portWith(async (i) => {
      i.slot = 'changed';
      return { slot: i.slot, at: 'x' };
    });
    await port.book(input);
    expect(input.slot).toBe('a');
  });

  it('passes a declared error through as a typed value', async () => {
    const port = portWith(async () => {
      throw contractError(clockContract, 'TOO_EARLY', 'Opens at nine', { opensAt: '09:00' });
    });
    const err = await port.book({ slot: 'a' }).catch((e: unknown) => e);
    expect(isContractError(err, clockContract, 'TOO_EARLY')).toBe(true);
    expect(err).toMatchObject({ status: 409, data: { opensAt: '09:00' } });
  });

  it('turns an error the method does not declare into an internal error', async () => {
    const port = portWith(async () => {
      throw contractError(clockContract, 'CLOSED', 'Closed for good');
    });
    const err = await port.book({ slot: 'a' }).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(PortError);
    expect(String(err)).toMatch(/raised clock:CLOSED, which it does not declare/);
  });

  it('answers an implementation that throws before returning a promise with a rejection, checked like any other', async () => {
    const port = portWith(() => {
      throw contractError(clockContract, 'TOO_EARLY', 'Opens at nine', { opensAt: '09:00' });
    });
    const call = port.book({ slot: 'a' });
    expect(call).toBeInstanceOf(Promise);
    expect(isContractError(await call.catch((e: unknown) => e), clockContract, 'TOO_EARLY')).toBe(true);
    const undeclared = portWith(() => {
      throw contractError(clockContract, 'CLOSED', 'Closed for good');
    });
    await expect(undeclared.book({ slot: 'a' })).rejects.toThrow(/raised clock:CLOSED, which it does not declare/);
  });

  it('refuses, at definition, a method listing an error the contract lacks', () => {
    expect(() =>
      defineContract({
        name: 'bad',
        version: 1,
        errors: {},
        // @ts-expect-error NOPE is not declared
        methods: { m: method({ input: z.object({}), output: z.object({}), errors: ['NOPE'] }) },
      }),
    ).toThrow(/bad.m lists error NOPE/);
  });
});
