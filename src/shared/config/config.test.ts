import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives working defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: './data', CURRENCY: 'USD', BODY_LIMIT: 1048576 });
    expect(config.RESERVATION_TTL).toBe(300_000);
    expect(config.SEED_DEMO).toBe(true);
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('reads durations with units', () => {
    expect(loadConfig({ RESERVATION_TTL: '90s' }).RESERVATION_TTL).toBe(90_000);
    expect(loadConfig({ RESERVATION_TTL: '2m' }).RESERVATION_TTL).toBe(120_000);
    expect(loadConfig({ JWT_TTL: '15' }).JWT_TTL).toBe(15_000);
  });

  it('names every bad variable in one message', () => {
    expect(() => loadConfig({ PORT: 'eighty', CURRENCY: 'dollars', DATABASE_URL: 'mysql://x' })).toThrow(
      /PORT:.*\n.*DATABASE_URL:.*\n.*CURRENCY:|PORT:[\s\S]*CURRENCY:[\s\S]*DATABASE_URL:/,
    );
  });

  it('refuses an admin email without a password, naming the missing one', () => {
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@b.co' })).toThrow(/ADMIN_PASSWORD: ADMIN_EMAIL and ADMIN_PASSWORD must be set together/);
  });

  it('never echoes a secret value back in the error', () => {
    expect(() => loadConfig({ ADMIN_EMAIL: 'a@b.co', ADMIN_PASSWORD: 'short' })).toThrow(/ADMIN_PASSWORD: must be at least 10/);
    try {
      loadConfig({ ADMIN_EMAIL: 'a@b.co', ADMIN_PASSWORD: 'short' });
    } catch (err) {
      expect(String(err)).not.toContain('short"');
    }
  });

  it('turns strict ports on under test and off otherwise, unless told', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).CARVE_STRICT_PORTS).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).CARVE_STRICT_PORTS).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', CARVE_STRICT_PORTS: 'true' }).CARVE_STRICT_PORTS).toBe(true);
  });
});
