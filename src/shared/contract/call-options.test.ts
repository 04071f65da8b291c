import { describe, expect, it } from 'vitest';
import { type CallOptions, throwIfUnwanted } from './define-contract.js';

describe('throwIfUnwanted', () => {
  it('lets a call go ahead while its caller waits', () => {
    expect(() => throwIfUnwanted({})).not.toThrow();
    expect(() => throwIfUnwanted({ deadline: Date.now() + 60_000, signal: new AbortController().signal })).not.toThrow();
  });

  it('stops a call whose deadline has passed, as a timed-out signal would', () => {
    let thrown: unknown;
    try {
      throwIfUnwanted({ deadline: Date.now() - 1 });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DOMException);
    expect((thrown as DOMException).name).toBe('TimeoutError');
  });

  it("stops a call whose caller's own signal aborted, with that signal's reason, before its deadline", () => {
    const gone = AbortSignal.abort(new Error('caller went away'));
    expect(() => throwIfUnwanted({ deadline: Date.now() + 60_000, signal: gone })).toThrow('caller went away');
  });

  it('never makes a signal that is made on demand: the deadline alone decides', () => {
    let made = 0;
    const onDemand = (deadline: number): CallOptions => ({
      deadline,
      get signal() {
        made++;
        return new AbortController().signal;
      },
    });
    expect(() => throwIfUnwanted(onDemand(Date.now() + 60_000))).not.toThrow();
    expect(() => throwIfUnwanted(onDemand(Date.now() - 1))).toThrow(DOMException);
    expect(made).toBe(0);
  });
});
