/** FieldError names one input field that failed validation. */
export interface FieldError {
  path: string;
  message: string;
}

/**
 * HttpProblem is an error the edge renders as application/problem+json (RFC 9457).
 * Kernel failures (auth, validation, not found) use it; module errors use PortError, and a
 * module that cannot be reached is a PortUnavailable.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}

export const unauthorized = (detail = 'A valid bearer token is required') =>
  new HttpProblem(401, 'UNAUTHORIZED', 'Unauthorized', detail, {}, { 'WWW-Authenticate': 'Bearer' });

export const forbidden = (detail = 'Your role does not allow this') =>
  new HttpProblem(403, 'FORBIDDEN', 'Forbidden', detail);

export const notFound = (detail = 'No such resource') => new HttpProblem(404, 'NOT_FOUND', 'Not found', detail);

export const validationFailed = (errors: FieldError[], detail = 'The request is not valid') =>
  new HttpProblem(400, 'VALIDATION_FAILED', 'Validation failed', detail, { errors });
