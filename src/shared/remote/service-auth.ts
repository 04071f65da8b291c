import type { Context } from 'hono';
import { unauthorized } from '../errors/http-problem.js';
import type { ServiceCaller, ServiceTokens } from './service-token.js';

/**
 * verifyServiceCall checks the service token of an internal request for `module`, and
 * comes before anything else, so a caller without a valid one learns nothing, not even
 * what this process hosts.
 *
 * @example const caller = await verifyServiceCall(c, tokens, 'payments')
 */
export async function verifyServiceCall(c: Context, tokens: ServiceTokens | undefined, module: string): Promise<ServiceCaller> {
  const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
  if (!tokens) throw unauthorized('Internal endpoints are closed: SERVICE_SECRET is not set on this process');
  if (!token) throw unauthorized('Internal endpoints need a service token');
  return tokens.verify(token, module).catch(() => {
    throw unauthorized('The service token is not valid for this module');
  });
}
