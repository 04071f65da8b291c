import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import { PortError } from '../contract/port-error.js';
import { PortUnavailable } from '../contract/port-unavailable.js';
import { type FieldError, HttpProblem } from './http-problem.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  [extension: string]: unknown;
}

export interface RenderedProblem {
  body: ProblemBody;
  headers: Record<string, string>;
  /** True when the error was not one we meant to raise: log it, show nothing of it. */
  unexpected: boolean;
}

const RESERVED = new Set(['type', 'title', 'status', 'detail', 'code', 'instance']);

function problemType(code: string): string {
  return `urn:carve:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

function body(status: number, code: string, title: string, detail: string, extra: Record<string, unknown> = {}) {
  const out: ProblemBody = { type: problemType(code), title, status, detail, code };
  for (const [k, v] of Object.entries(extra)) if (!RESERVED.has(k)) out[k] = v;
  return out;
}

/** fieldErrors turns zod issues into the `errors` list of a validation problem. */
export function fieldErrors(err: ZodError): FieldError[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.') || '$', message: i.message }));
}

/**
 * renderProblem maps any thrown value to a problem+json body. Only errors we raise on
 * purpose keep their detail; everything else is a bare 500 that leaks no internals.
 */
export function renderProblem(err: unknown, requestId?: string): RenderedProblem {
  const instance = requestId ? { requestId } : {};
  if (err instanceof PortError) {
    return {
      body: body(err.status, err.code, err.title, err.detail, { ...err.data, ...instance }),
      headers: {},
      unexpected: false,
    };
  }
  if (err instanceof PortUnavailable) {
    return {
      body: body(503, 'UNAVAILABLE', 'Service unavailable', `${err.module} is not available: ${err.message}`, {
        module: err.module,
        ...instance,
      }),
      headers: { 'Retry-After': String(err.retryAfterSeconds) },
      unexpected: false,
    };
  }
  if (err instanceof HttpProblem) {
    return {
      body: body(err.status, err.code, err.title, err.message, { ...err.extra, ...instance }),
      headers: err.headers,
      unexpected: false,
    };
  }
  if (err instanceof ZodError) {
    return {
      body: body(400, 'VALIDATION_FAILED', 'Validation failed', 'The request is not valid', {
        errors: fieldErrors(err),
        ...instance,
      }),
      headers: {},
      unexpected: false,
    };
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Raised by Hono itself, e.g. for a body that is not valid JSON.
    const code = err.status === 400 ? 'BAD_REQUEST' : `HTTP_${err.status}`;
    return {
      body: body(err.status, code, 'Bad request', err.message || 'The request could not be read', instance),
      headers: {},
      unexpected: false,
    };
  }
  return {
    body: body(500, 'INTERNAL', 'Internal server error', 'Something went wrong on our side', instance),
    headers: {},
    unexpected: true,
  };
}
