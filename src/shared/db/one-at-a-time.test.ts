import { describe, expect, it } from 'vitest';
import { oneAtATime } from './one-at-a-time.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('oneAtATime', () => {
  it('never runs two pieces of work at once, and runs them in the order they asked', async () => {
    const exclusive = oneAtATime();
    let running = 0;
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        exclusive(async () => {
          running++;
          most = Math.max(most, running);
          await tick();
          order.push(i);
          running--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('passes on what the work returns or throws, and a failure frees the lock for the next', async () => {
    const exclusive = oneAtATime();
    const failed = exclusive(async () => {
      await tick();
      throw new Error('boom');
    });
    const next = exclusive(() => 42);
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe(42);
    // A synchronous throw too.
    await expect(
      exclusive(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(exclusive(() => 'free')).resolves.toBe('free');
  });

  it('lets nobody cut in between one holder and the next in line', async () => {
    const exclusive = oneAtATime();
    const order: string[] = [];
    const first = exclusive(async () => {
      await tick();
      order.push('first');
    });
    const second = exclusive(async () => {
      order.push('second');
    });
    await first;
    // Asked after first finished but before second ran: it must wait for second.
    const late = exclusive(async () => {
      order.push('late');
    });
    await Promise.all([second, late]);
    expect(order).toEqual(['first', 'second', 'late']);
  });

  it('runs work that enters without a promise in the same line as the rest, at once when the lock is free', async () => {
    const exclusive = oneAtATime();
    const order: string[] = [];
    let startedAtOnce = false;
    exclusive.enter((leave) => {
      startedAtOnce = true;
      setTimeout(() => {
        order.push('entered first');
        leave();
      }, 5);
    });
    expect(startedAtOnce).toBe(true);
    const second = exclusive(async () => {
      order.push('called second');
    });
    const third = new Promise<void>((resolve) =>
      exclusive.enter((leave) => {
        order.push('entered third');
        leave();
        resolve();
      }),
    );
    const fourth = exclusive(() => order.push('called fourth'));
    await Promise.all([second, third, fourth]);
    expect(order).toEqual(['entered first', 'called second', 'entered third', 'called fourth']);
  });
});
