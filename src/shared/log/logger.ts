import { pino } from 'pino';

export type Logger = pino.Logger;

/** Paths pino blanks out wherever they appear, so secrets never reach a log line. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'paymentToken',
  '*.paymentToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'secret',
  '*.secret',
  'passwordHash',
  '*.passwordHash',
  'privateKeyPkcs8',
  '*.privateKeyPkcs8',
  'JWT_PRIVATE_KEY',
  '*.JWT_PRIVATE_KEY',
  'ADMIN_PASSWORD',
  '*.ADMIN_PASSWORD',
  'PAYMENT_PROVIDER_KEY',
  '*.PAYMENT_PROVIDER_KEY',
];

/**
 * createLogger builds the process logger: JSON lines, ISO times, secrets redacted.
 *
 * @example const logger = createLogger('info')
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
