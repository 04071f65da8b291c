import { pino } from 'pino';
import { trace } from '@opentelemetry/api';

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
      // Every line written while a request (or an event it caused) is handled names its
      // W3C trace id, so one search finds the request in every process's logs.
      mixin: traceFields,
    },
    destination,
  );
}

function traceFields(): { trace_id?: string; span_id?: string } {
  const ctx = trace.getActiveSpan()?.spanContext();
  // An all-zero id is the API's "no trace": the no-op tracer's, before startTracing runs.
  // A fresh object each time: pino merges the line's own fields into it.
  if (!ctx || ctx.traceId === INVALID_TRACE_ID) return {};
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}

const INVALID_TRACE_ID = '00000000000000000000000000000000';
