// Run by the port-call scenario in a process of its own: serves the port servers and
// prints their URLs as one JSON line, then serves until killed or until the bench that
// started it goes away (its stdin closes), so an interrupted run leaves no server behind.
import { startPortServers } from './port-servers.js';

const servers = await startPortServers();
process.stdout.write(`${JSON.stringify({ rpcUrl: servers.rpcUrl, bareUrl: servers.bareUrl })}\n`);
process.on('SIGTERM', () => {
  void servers.close().finally(() => process.exit(0));
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
