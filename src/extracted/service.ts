import { ALL_MODULES, createCarve } from '../composition-root.js';
import { PlacementError } from '../placement.js';
import { ConfigError, loadConfig } from '../shared/config/config.js';
import { moduleDatabaseUrl } from '../shared/db/open-module-db.js';
import { exitOnStartFailure, runServer } from '../shared/http/run-server.js';
import { createLogger } from '../shared/log/logger.js';
import { startTracing } from '../shared/observe/tracing.js';

const MODULES = ALL_MODULES.map((m) => m.name);
const USAGE = `Usage: npm run service -- <module>

Runs one module alone: its public routes under /api/<module>, its internal RPC at
/_rpc/<module>, /health, /ready and /openapi.json, on its own database.

  module        one of: ${MODULES.join(', ')}

Environment (see the README for all of it):
  DATABASE_URL  postgres://... or sqlite:<path>; default sqlite:$DATA_DIR/<module>.db
  SERVICE_SECRET  the secret every Carve process of this deployment shares (required)
  <MODULE>_URL  where each module this one calls runs, e.g. IDENTITY_URL=http://127.0.0.1:3000`;

// A standalone service: one module, its own database, and every other module remote.
async function main() {
  const name = process.argv[2];
  if (!name || name === '--help' || name === '-h') {
    console.error(USAGE);
    process.exit(name ? 0 : 2);
  }
  if (!MODULES.includes(name)) throw new PlacementError(`There is no module ${name}; the modules are ${MODULES.join(', ')}`);
  const config = loadConfig(process.env);
  if (!config.SERVICE_SECRET) {
    throw new ConfigError(
      'Invalid configuration:\n  SERVICE_SECRET: required: a service answers other Carve processes over internal RPC, and they sign each call with it',
    );
  }
  const logger = createLogger(config.LOG_LEVEL).child({ service: name });
  const tracing = startTracing({ serviceName: name, otlpEndpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT });
  const carve = createCarve(config, logger, { host: [name] });
  logger.info({ database: redact(moduleDatabaseUrl(name, config)) }, `${name} service starting`);
  await runServer(carve, { host: config.HOST, port: config.PORT, logger, name: `${name} service`, afterStop: tracing.shutdown });
}

/** redact hides a database password before it reaches a log. */
function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

main().catch(exitOnStartFailure('carve service'));
