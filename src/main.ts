import { createCarve } from './composition-root.js';
import { loadConfig } from './shared/config/config.js';
import { exitOnStartFailure, runServer } from './shared/http/run-server.js';
import { createLogger } from './shared/log/logger.js';
import { startTracing } from './shared/observe/tracing.js';

// The monolith: every module runs here unless the environment places it elsewhere with <MODULE>_URL.
async function main() {
  const config = loadConfig(process.env);
  const logger = createLogger(config.LOG_LEVEL);
  const tracing = startTracing({ serviceName: 'carve', otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  await runServer(createCarve(config, logger), {
    host: config.HOST,
    port: config.PORT,
    logger,
    name: 'carve storefront',
    afterStop: tracing.shutdown,
  });
}

main().catch(exitOnStartFailure('carve'));
