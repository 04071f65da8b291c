import { z } from 'zod';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** duration parses `300`, `300s`, `5m`, `1h` or `1500ms` into whole milliseconds. */
export const duration = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?(ms|s|m|h|d)?$/, 'expected a duration such as 300, 90s, 5m or 1h (bare numbers are seconds)')
  .transform((raw) => {
    const [, num, unit] = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(raw)!;
    return Math.round(Number(num) * (UNIT_SECONDS[unit ?? 's'] ?? 1) * 1000);
  });
