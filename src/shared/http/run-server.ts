import { serve } from '@hono/node-server';
import { ConfigError } from '../config/config.js';
import type { Logger } from '../log/logger.js';

export interface Runnable {
  app: { fetch: (request: Request) => Response | Promise<Response> };
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * runServer starts a Carve process on HOST:PORT and stops it cleanly on SIGTERM or
 * SIGINT: no new connections, in-flight requests finish, then databases close.
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
  const server = serve({ fetch: carve.app.fetch, hostname: host, port }, (info) => {
    logger.info({ url: `http://${host}:${info.port}` }, `${name} listening`);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      carve.stop().then(afterStop).then(
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
