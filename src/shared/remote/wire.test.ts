import { describe, expect, it } from 'vitest';
import { CallAbort, abortAt } from './wire.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('abortAt', () => {
  it('aborts at the deadline with a TimeoutError, as AbortSignal.timeout does', async () => {
    const { signal } = abortAt(Date.now() + 20);
    expect(signal.aborted).toBe(false);
    await sleep(60);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('aborts at once when the deadline has passed', async () => {
    const { signal } = abortAt(Date.now() - 1_000);
    await sleep(10);
    expect(signal.aborted).toBe(true);
  });

  it('never aborts once cleared', async () => {
    const timeout = abortAt(Date.now() + 20);
    timeout.clear();
    await sleep(60);
    expect(timeout.signal.aborted).toBe(false);
  });
});

describe('CallAbort', () => {
  it('aborts at the deadline with a TimeoutError, marked as timed out', async () => {
    const abort = new CallAbort(Date.now() + 20);
    let heard = 0;
    abort.on('abort', () => heard++);
    await sleep(60);
    expect(abort).toMatchObject({ aborted: true, timedOut: true, reason: expect.objectContaining({ name: 'TimeoutError' }) });
    expect(heard).toBe(1);
  });

  it("aborts with the caller's reason when the caller gives up first, not as timed out", async () => {
    const caller = new AbortController();
    const abort = new CallAbort(Date.now() + 40, caller.signal);
    const reason = new Error('caller gave up');
    caller.abort(reason);
    await sleep(80);
    expect(abort).toMatchObject({ aborted: true, timedOut: false, reason });
  });

  it('starts aborted when the caller already gave up', () => {
    const reason = new Error('already');
    expect(new CallAbort(Date.now() + 1_000, AbortSignal.abort(reason))).toMatchObject({ aborted: true, reason });
  });

  it("once cleared, neither the deadline nor the caller's signal aborts it", async () => {
    const caller = new AbortController();
    const abort = new CallAbort(Date.now() + 20, caller.signal);
    abort.clear();
    caller.abort();
    await sleep(60);
    expect(abort.aborted).toBe(false);
  });
});
