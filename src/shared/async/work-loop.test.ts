import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../log/logger.js';
import { WorkLoop } from './work-loop.js';

const silent = createLogger('silent');

describe('WorkLoop', () => {
  it('runs rounds back to back while each finds work, then waits to be nudged', async () => {
    let backlog = 5;
    const runOnce = vi.fn(async () => {
      if (backlog === 0) return false;
      backlog--;
      return true;
    });
    const loop = new WorkLoop({ name: 'drain', runOnce, idleMs: 60_000, logger: silent });
    loop.start();
    await vi.waitFor(() => expect(backlog).toBe(0));
    await vi.waitFor(() => expect(runOnce).toHaveBeenCalledTimes(6));
    backlog = 1;
    loop.nudge();
    await vi.waitFor(() => expect(backlog).toBe(0));
    await loop.stop();
  });

  it('coalesces nudges that arrive during a round into one more round', async () => {
    let release!: () => void;
    let rounds = 0;
    const loop = new WorkLoop({
      name: 'slow',
      idleMs: 60_000,
      logger: silent,
      runOnce: async () => {
        rounds++;
        if (rounds === 1) await new Promise<void>((r) => (release = r));
        return false;
      },
    });
    loop.start();
    await vi.waitFor(() => expect(release).toBeTypeOf('function'));
    for (let i = 0; i < 10; i++) loop.nudge();
    release();
    await vi.waitFor(() => expect(rounds).toBe(2));
    await new Promise((r) => setTimeout(r, 50));
    expect(rounds).toBe(2);
    await loop.stop();
  });

  it('logs a failed round and tries again after the idle interval', async () => {
    const errors: unknown[] = [];
    const logger = { ...silent, error: (obj: unknown) => errors.push(obj) } as unknown as typeof silent;
    let calls = 0;
    const loop = new WorkLoop({
      name: 'flaky',
      idleMs: 20,
      logger,
      runOnce: async () => {
        calls++;
        if (calls === 1) throw new Error('database away');
        return false;
      },
    });
    loop.start();
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(2));
    expect(errors).toHaveLength(1);
    await loop.stop();
  });

  it('stop waits for the round in progress and runs no more', async () => {
    let finished = false;
    let calls = 0;
    const loop = new WorkLoop({
      name: 'stopping',
      idleMs: 5,
      logger: silent,
      runOnce: async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 50));
        finished = true;
        return false;
      },
    });
    loop.start();
    await vi.waitFor(() => expect(calls).toBe(1));
    await loop.stop();
    expect(finished).toBe(true);
    loop.nudge();
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toBe(1);
  });
});
