import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PortError } from '../contract/port-error.js';
import { PortUnavailable } from '../contract/port-unavailable.js';
import { renderProblem } from './problem-json.js';

describe('renderProblem', () => {
  it('renders a declared port error with its status, code and data', () => {
    const err = new PortError('catalog', 'OUT_OF_STOCK', 409, 'Out of stock', 'Only 1 left', { available: 1 });
    expect(renderProblem(err, 'req-1').body).toEqual({
      type: 'urn:carve:problem:out-of-stock',
      title: 'Out of stock',
      status: 409,
      detail: 'Only 1 left',
      code: 'OUT_OF_STOCK',
      available: 1,
      requestId: 'req-1',
    });
  });

  it('lists each failed field of a validation error', () => {
    const parsed = z.object({ email: z.email(), age: z.number() }).safeParse({ email: 'x' });
    const { body } = renderProblem(parsed.error);
    expect(body.status).toBe(400);
    expect((body.errors as { path: string }[]).map((e) => e.path)).toEqual(['email', 'age']);
  });

  it('hides everything about an unexpected error', () => {
    const err = new Error('connect ECONNREFUSED 10.1.2.3:5432 password=hunter2');
    const rendered = renderProblem(err);
    expect(rendered.unexpected).toBe(true);
    expect(JSON.stringify(rendered.body)).not.toMatch(/ECONNREFUSED|hunter2|stack/);
    expect(rendered.body.status).toBe(500);
  });

  it('keeps Retry-After on an unavailable module', () => {
    const rendered = renderProblem(new PortUnavailable('payments', 'payments is down', 'no', 3));
    expect(rendered.body.status).toBe(503);
    expect(rendered.headers['Retry-After']).toBe('3');
  });

  it('never lets data overwrite the standard members', () => {
    const err = new PortError('m', 'X', 409, 'T', 'D', { status: 200, type: 'evil' });
    const { body } = renderProblem(err);
    expect(body.status).toBe(409);
    expect(body.type).toBe('urn:carve:problem:x');
  });
});
