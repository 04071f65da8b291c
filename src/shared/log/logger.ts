import { pino } from 'pino';
import { trace } from '@opentelemetry/api';
import { currentRequestId } from './request-scope.js';

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
      // request id and its W3C trace id, so one search finds the request in every process's logs.
      mixin: requestFields,
    },
    destination,
  );
}

function requestFields(): { requestId?: string; trace_id?: string; span_id?: string } {
  // A fresh object each time: pino merges the line's own fields into it.
  const fields: { requestId?: string; trace_id?: string; span_id?: string } = {};
  const requestId = currentRequestId();
  if (requestId) fields.requestId = requestId;
  const ctx = trace.getActiveSpan()?.spanContext();
  // An all-zero id is the API's "no trace": the no-op tracer's, before startTracing runs.
  if (ctx && ctx.traceId !== INVALID_TRACE_ID) {
    fields.trace_id = ctx.traceId;
    fields.span_id = ctx.spanId;
  }
  return fields;
}

const INVALID_TRACE_ID = '00000000000000000000000000000000';
