import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { serviceTokens } from './service-token.js';

const SECRET = 'token-test-secret-0123456789abcdef';
const START = new Date('2026-12-07T12:00:00Z');

// Only the clock is faked: WebCrypto's sign and verify still run for real.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(START);
});
afterEach(() => vi.useRealTimers());

const later = (seconds: number) => vi.setSystemTime(START.getTime() + seconds * 1000);

describe('a caller reusing its token', () => {
  it('is given the minted token without a promise until the token is due for renewal, then a new one', async () => {
    const tokens = serviceTokens(SECRET);
    expect(tokens.reusable('orders', 'payments')).toBeUndefined();
    const first = await tokens.mint('orders', 'payments');
    expect(tokens.reusable('orders', 'payments')).toBe(first);
    expect(tokens.reusable('orders', 'catalog')).toBeUndefined();

    later(41);
    expect(tokens.reusable('orders', 'payments')).toBeUndefined();
    const renewed = await tokens.mint('orders', 'payments');
    expect(renewed).not.toBe(first);
    expect(tokens.reusable('orders', 'payments')).toBe(renewed);
  });
});

describe('a callee remembering the tokens it has proven', () => {
  it('knows a verified token for that callee only, until it expires, and then refuses it', async () => {
    const tokens = serviceTokens(SECRET);
    const token = await tokens.mint('orders', 'payments');
    expect(tokens.known(token, 'payments')).toBeUndefined();
    await expect(tokens.verify(token, 'payments')).resolves.toEqual({ module: 'orders' });
    expect(tokens.known(token, 'payments')).toEqual({ module: 'orders' });
    expect(tokens.known(token, 'catalog')).toBeUndefined();

    later(59);
    expect(tokens.known(token, 'payments')).toEqual({ module: 'orders' });
    // Past its expiry it is forgotten, and past the clock tolerance too it is refused.
    later(61);
    expect(tokens.known(token, 'payments')).toBeUndefined();
    later(66);
    await expect(tokens.verify(token, 'payments')).rejects.toThrow();
    expect(tokens.known(token, 'payments')).toBeUndefined();
  });

  it('knows each of several callers in turn, and each token for its own callee only', async () => {
    const tokens = serviceTokens(SECRET);
    const fromOrders = await tokens.mint('orders', 'payments');
    const fromGateway = await tokens.mint('gateway', 'payments');
    const toCatalog = await tokens.mint('orders', 'catalog');
    await tokens.verify(fromOrders, 'payments');
    await tokens.verify(fromGateway, 'payments');
    await tokens.verify(toCatalog, 'catalog');
    for (let i = 0; i < 2; i++) {
      expect(tokens.known(fromOrders, 'payments')).toEqual({ module: 'orders' });
      expect(tokens.known(fromGateway, 'payments')).toEqual({ module: 'gateway' });
      expect(tokens.known(toCatalog, 'payments')).toBeUndefined();
      expect(tokens.known(toCatalog, 'catalog')).toEqual({ module: 'orders' });
    }
  });

  it('never knows a token it refused', async () => {
    const tokens = serviceTokens(SECRET);
    const forged = await serviceTokens('another-secret-0123456789abcdef').mint('orders', 'payments');
    await expect(tokens.verify(forged, 'payments')).rejects.toThrow();
    expect(tokens.known(forged, 'payments')).toBeUndefined();
    const elsewhere = await tokens.mint('orders', 'catalog');
    await expect(tokens.verify(elsewhere, 'payments')).rejects.toThrow();
    expect(tokens.known(elsewhere, 'payments')).toBeUndefined();
  });
});
