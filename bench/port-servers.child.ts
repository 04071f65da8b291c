// Run by the port-call scenario in a process of its own: serves the port servers and
// prints their URLs as one JSON line, then serves until killed or until the bench that
// started it goes away (its stdin closes), so an interrupted run leaves no server behind.
import { startTracing } from '../src/shared/observe/tracing.js';
import { startPortServers } from './port-servers.js';

// As a Carve service process runs: a tracer provider and its async context, no exporter.
const tracing = startTracing({ serviceName: 'ledger' });
const servers = await startPortServers();
process.stdout.write(`${JSON.stringify({ rpcUrl: servers.rpcUrl, bareUrl: servers.bareUrl })}\n`);
process.on('SIGTERM', () => {
  void Promise.all([servers.close(), tracing.shutdown()]).finally(() => process.exit(0));
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
