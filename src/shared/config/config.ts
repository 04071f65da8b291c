import { z } from 'zod';
import { duration } from './duration.js';

const bool = z.stringbool({ truthy: ['true', '1', 'yes'], falsy: ['false', '0', 'no'] });

/** A module's database: postgres://... or sqlite:<path to the module's file>. */
const databaseUrl = z
  .string()
  .regex(/^(postgres(ql)?:\/\/.+|sqlite:.+)$/, 'expected postgres://... or sqlite:<path>')
  .refine((v) => v.startsWith('sqlite:') || URL.canParse(v), 'expected a valid postgres:// URL');

/** Where a remote module answers: one base URL, or several separated by commas. */
const instanceUrls = z
  .string()
  .transform((v) => v.split(',').map((u) => u.trim()).filter(Boolean))
  .pipe(z.array(z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''))).min(1));

/** The modules whose placement the environment may set with <MODULE>_URL. */
export const PLACEABLE_MODULES = ['identity', 'catalog', 'payments', 'notifications', 'orders'] as const;

/**
 * ConfigSchema is every environment variable Carve reads, in one place. The README's
 * configuration table mirrors it, and a test keeps the two in step.
 */
const Env = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: databaseUrl.optional(),
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
  SERVICE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  RPC_TIMEOUT: duration.default(15_000),
  IDENTITY_URL: instanceUrls.optional(),
  CATALOG_URL: instanceUrls.optional(),
  PAYMENTS_URL: instanceUrls.optional(),
  NOTIFICATIONS_URL: instanceUrls.optional(),
  ORDERS_URL: instanceUrls.optional(),
  EVENTS_URL: z.url({ protocol: /^nats$/, error: 'expected nats://host:port' }).optional(),
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(1000).default(10),
  EVENTS_RELAY: z.enum(['on', 'paused']).default('on'),
  ORDER_SETTLE_AFTER: duration.default(120_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
});

/** ENV_VARIABLES names every variable Carve reads. */
export const ENV_VARIABLES = Object.keys(Env.shape);

export const ConfigSchema = Env.superRefine((cfg, ctx) => {
  if ((cfg.ADMIN_EMAIL === undefined) !== (cfg.ADMIN_PASSWORD === undefined)) {
    const missing = cfg.ADMIN_EMAIL === undefined ? 'ADMIN_EMAIL' : 'ADMIN_PASSWORD';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together' });
  }
  const remote = PLACEABLE_MODULES.map(urlVariable).filter((name) => cfg[name] !== undefined);
  if (remote.length > 0 && cfg.SERVICE_SECRET === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['SERVICE_SECRET'],
      message: `required when a module is remote (${remote.join(', ')} set): it signs calls between processes`,
    });
  }
}).transform((cfg) => ({ ...cfg, CARVE_STRICT_PORTS: cfg.CARVE_STRICT_PORTS ?? cfg.NODE_ENV === 'test' }));

export type Config = z.output<typeof ConfigSchema>;

/** urlVariable names the variable that places a module elsewhere: payments → PAYMENTS_URL. */
export function urlVariable(module: string): `${Uppercase<(typeof PLACEABLE_MODULES)[number]>}_URL` {
  return `${module.toUpperCase()}_URL` as `${Uppercase<(typeof PLACEABLE_MODULES)[number]>}_URL`;
}

/** remoteUrls is where the environment says a module runs, or undefined when it is in-process. */
export function remoteUrls(config: Config, module: string): string[] | undefined {
  return (config as Record<string, unknown>)[urlVariable(module)] as string[] | undefined;
}

/** ConfigError lists every bad variable by name, so start-up fails with a message a person can act on. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
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
