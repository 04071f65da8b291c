import { serve } from '@hono/node-server';
import { createCarve } from './composition-root.js';
import { ConfigError, loadConfig } from './shared/config/config.js';
import { createLogger } from './shared/log/logger.js';

async function main() {
  const config = loadConfig(process.env);
  const logger = createLogger(config.LOG_LEVEL);
  const carve = createCarve(config, logger);
  await carve.start();
  const server = serve({ fetch: carve.app.fetch, hostname: config.HOST, port: config.PORT }, (info) => {
    logger.info({ url: `http://${config.HOST}:${info.port}` }, 'carve storefront listening');
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      carve.stop().then(
        () => process.exit(0),
        (err) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('carve failed to start:', err);
  }
  process.exit(1);
});
