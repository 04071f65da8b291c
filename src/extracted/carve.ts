// `npm run carve -- extract|absorb <module> ...`: moves one module's data between databases.
// `npm run carve -- events list|retry|retry-all`: inspects and resubmits failed events.
// `npm run carve -- contracts snapshot|check`: records contracts and catches breaking changes.
// `npm run carve -- graph [--check]`: writes docs/architecture.md from the modules and contracts.
// The work is in ./data-move, ./events and ./contracts; this file only connects it to the process.
import { PLACEABLE_MODULES } from '../shared/config/config.js';
import { subscribersOf } from '../shared/di/subscribers-of.js';
import { runCarve } from './data-move/run-carve.js';

const interrupt = new AbortController();
// Only a move has a batch to finish; Ctrl-C stops an events or contracts command at once.
if (process.argv[2] !== 'events' && process.argv[2] !== 'contracts') {
  process.once('SIGINT', () => {
    process.stderr.write('\ncarve: stopping after the batch in flight (Ctrl-C again to stop at once)...\n');
    interrupt.abort();
    process.once('SIGINT', () => process.exit(130));
  });
}

process.exitCode = await runCarve({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: process.stdout,
  stderr: process.stderr,
  modules: PLACEABLE_MODULES,
  // Loaded only once a move succeeded: the composition root pulls in every module's code.
  moduleCalls: async () => {
    const { ALL_MODULES } = await import('../composition-root.js');
    const subscribers = subscribersOf(ALL_MODULES);
    const notifies = (m: (typeof ALL_MODULES)[number]) => [...new Set(Object.values(m.contract.events).flatMap((ref) => subscribers(ref.type)))];
    return ALL_MODULES.map((m) => ({ name: m.name, uses: m.uses.map((used) => used.name), notifies: notifies(m) }));
  },
  signal: interrupt.signal,
});
