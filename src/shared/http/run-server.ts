import { serve } from '@hono/node-server';
import { ConfigError } from '../config/config.js';
import type { Logger } from '../log/logger.js';

export interface Runnable {
  app: { fetch(request: Request, env?: object): Response | Promise<Response> };
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * runServer starts a Carve process on HOST:PORT and stops it cleanly on SIGTERM or
 * SIGINT: no new connections, in-flight requests finish, then databases close. A
 * request whose client has gone still finishes: its connection is closed, but an order
 * it was placing may be waiting on the card provider, and must record the answer.
 *
 * @example await runServer(carve, { host: config.HOST, port: config.PORT, logger, name: 'carve storefront' })
 */
export async function runServer(
  carve: Runnable,
  {
    host,
    port,
    logger,
    name,
    afterStop = async () => {},
  }: { host: string; port: number; logger: Logger; name: string; afterStop?: () => Promise<void> },
): Promise<void> {
  await carve.start();
  const requests = countRequests(carve.app);
  const server = serve({ fetch: requests.fetch, hostname: host, port }, (info) => {
    logger.info({ url: `http://${host}:${info.port}` }, `${name} listening`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      requests
        .finished()
        .then(() => carve.stop())
        .then(afterStop)
        .then(
          () => process.exit(0),
          (err) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
    });
    // Keep-alive connections from other Carve processes would hold close() open.
    if ('closeIdleConnections' in server) server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * countRequests wraps `app.fetch` to know how many requests are being handled: the
 * server's close() waits only for connections, and a client that resets its connection
 * (a load generator stopping, a proxy timing out) leaves its request running.
 */
function countRequests(app: Runnable['app']) {
  let running = 0;
  let whenNone: (() => void) | undefined;
  const done = () => {
    if (--running === 0) whenNone?.();
  };
  return {
    fetch(request: Request, env?: object): Response | Promise<Response> {
      running++;
      try {
        const answer = app.fetch(request, env);
        if (answer instanceof Promise) answer.then(done, done);
        else done();
        return answer;
      } catch (err) {
        done();
        throw err;
      }
    },
    /** finished resolves once no request is being handled. */
    finished: () => (running === 0 ? Promise.resolve() : new Promise<void>((resolve) => (whenNone = resolve))),
  };
}

/**
 * exitOnStartFailure ends a process that could not start: a configuration error is shown
 * as its message alone, since it already says what to change; anything else in full.
 *
 * @example main().catch(exitOnStartFailure('carve'))
 */
export function exitOnStartFailure(name: string) {
  return (err: unknown): never => {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`${name} failed to start:`, err);
    process.exit(1);
  };
}
