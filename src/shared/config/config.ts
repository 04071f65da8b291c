import { z } from 'zod';
import { duration } from './duration.js';

const bool = z.stringbool({ truthy: ['true', '1', 'yes'], falsy: ['false', '0', 'no'] });

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL')
  .pipe(z.url());

/**
 * ConfigSchema is every environment variable Carve reads, in one place. The README's
 * configuration table mirrors it, and a test keeps the two in step.
 */
const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: postgresUrl.optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
  CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code such as USD').default('USD'),
  BODY_LIMIT: z.coerce.number().int().min(1024).default(1024 * 1024),
  RESERVATION_TTL: duration.default(300_000),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  SEED_DEMO: bool.default(true),
  JWT_PRIVATE_KEY: z.string().includes('PRIVATE KEY', { message: 'expected a PKCS#8 PEM Ed25519 key' }).optional(),
  JWT_TTL: duration.default(3_600_000),
  PAYMENT_PROVIDER_URL: z.url().optional(),
  PAYMENT_PROVIDER_KEY: z.string().min(1).optional(),
  PAYMENT_PROVIDER_TIMEOUT: duration.default(10_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CARVE_STRICT_PORTS: bool.optional(),
});

/** ENV_VARIABLES names every variable Carve reads. */
export const ENV_VARIABLES = Object.keys(Env.shape);

export const ConfigSchema = Env.superRefine((cfg, ctx) => {
  if ((cfg.ADMIN_EMAIL === undefined) !== (cfg.ADMIN_PASSWORD === undefined)) {
    const missing = cfg.ADMIN_EMAIL === undefined ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together' });
  }
}).transform((cfg) => ({ ...cfg, CARVE_STRICT_PORTS: cfg.CARVE_STRICT_PORTS ?? cfg.NODE_ENV === 'test' }));

export type Config = z.output<typeof ConfigSchema>;

/** ConfigError lists every bad variable by name, so start-up fails with a message a person can act on. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * loadConfig parses the environment. Empty strings count as unset, as shells often export them.
 *
 * @example const config = loadConfig(process.env)
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = ConfigSchema.safeParse(present);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const value = present[name];
    const shown = value === undefined || /SECRET|PASSWORD|KEY/.test(name) ? '' : ` (got ${JSON.stringify(value)})`;
    return `  ${name}: ${issue.message}${shown}`;
  });
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
