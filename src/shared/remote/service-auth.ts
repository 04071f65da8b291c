import type { Context } from 'hono';
import { unauthorized } from '../errors/http-problem.js';
import type { ServiceCaller, ServiceTokens } from './service-token.js';

/**
 * verifyServiceCall checks the service token of an internal request for `module`, and
 * comes before anything else, so a caller without a valid one learns nothing, not even
 * what this process hosts. A token already proven is answered at once, with no promise:
 * callers reuse theirs for most of a minute, and with async context on every promise costs.
 *
 * @example const verified = verifyServiceCall(c, tokens, 'payments'); const caller = verified instanceof Promise ? await verified : verified
 */
export function verifyServiceCall(c: Context, tokens: ServiceTokens | undefined, module: string): ServiceCaller | Promise<ServiceCaller> {
  const header = c.req.header('authorization');
  const token = header?.startsWith('Bearer ') && header.length > 7 ? header.slice(7) : undefined;
  if (!tokens) throw unauthorized('Internal endpoints are closed: SERVICE_SECRET is not set on this process');
  if (!token) throw unauthorized('Internal endpoints need a service token');
  return (
    tokens.known(token, module) ??
    tokens.verify(token, module).catch(() => {
      throw unauthorized('The service token is not valid for this module');
    })
  );
}
