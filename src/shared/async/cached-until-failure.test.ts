import { describe, expect, it } from 'vitest';
import { cachedUntilFailure } from './cached-until-failure.js';

describe('cachedUntilFailure', () => {
  it('loads once for every caller, concurrent or later', async () => {
    let loads = 0;
    const get = cachedUntilFailure(async () => ++loads);
    expect(await Promise.all([get(), get(), get()])).toEqual([1, 1, 1]);
    expect(await get()).toBe(1);
    expect(loads).toBe(1);
  });

  it('forgets a failed load, so the next call tries again', async () => {
    let loads = 0;
    const get = cachedUntilFailure(async () => {
      if (++loads === 1) throw new Error('not yet');
      return loads;
    });
    await expect(get()).rejects.toThrow('not yet');
    expect(await get()).toBe(2);
    expect(await get()).toBe(2);
  });

  it('loads again after forget', async () => {
    let loads = 0;
    const get = cachedUntilFailure(async () => ++loads);
    await get();
    get.forget();
    expect(await get()).toBe(2);
  });
});
