import { Hono } from 'hono';
import { HttpProblem, notFound, validationFailed } from '../errors/http-problem.js';
import { EventBatch } from '../events/envelope.js';
import type { EventHub } from '../events/event-hub.js';
import type { AppEnv } from '../http/app-env.js';
import { wireInputProblem } from './rpc-server.js';
import { verifyServiceCall } from './service-auth.js';
import type { ServiceTokens } from './service-token.js';

/**
 * eventRoutes serves `POST /_events/<module>`: another process's outbox relay pushing
 * events to a module hosted here. The service token comes first. A batch is taken whole
 * or not at all: if any event is one the module cannot take, nothing is stored and the
 * answer says which, so the relay can send the rest one by one. Taken events are in the
 * inbox when this answers 200; one already there counts as a duplicate and changes nothing.
 *
 * @example app.route('/_events', eventRoutes(hub, tokens))
 */
export function eventRoutes(hub: EventHub, tokens: ServiceTokens | undefined): Hono<AppEnv> {
  const events = new Hono<AppEnv>();
  events.post('/:module', async (c) => {
    const { module } = c.req.param();
    const caller = await verifyServiceCall(c, tokens, module);
    if (!hub.subscribes(module)) throw notFound(`This process hosts no ${module} that takes events`);
    const body = await c.req.json().catch(() => {
      throw new HttpProblem(400, 'BAD_REQUEST', 'Bad request', 'The body is not JSON');
    });
    const problem = wireInputProblem(body);
    if (problem) throw new HttpProblem(400, 'BAD_REQUEST', 'Bad request', problem);
    const batch = EventBatch.safeParse(body);
    if (!batch.success) {
      throw validationFailed(batch.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
    }
    const refusals = hub.refusals(module, batch.data.events);
    if (refusals.some((r) => r !== undefined)) {
      const errors = refusals.flatMap((message, i) => (message ? [{ path: `events.${i}`, message }] : []));
      throw validationFailed(errors, `${module} cannot take ${errors.length} of these events`);
    }
    const outcomes = await hub.accept(module, batch.data.events);
    c.get('logger')?.debug({ caller: caller.module, module, events: outcomes.length }, 'events received');
    return c.json({ received: outcomes.length });
  });
  return events;
}
