// `npm run carve -- extract|absorb <module> ...`: moves one module's data between databases.
// `npm run carve -- events list|retry|retry-all`: inspects and resubmits failed events.
// The work is in ./data-move and ./events; this file only connects it to the process.
import { PLACEABLE_MODULES } from '../shared/config/config.js';
import { runCarve } from './data-move/run-carve.js';

const interrupt = new AbortController();
// Only a move has a batch to finish; Ctrl-C stops an events command at once.
if (process.argv[2] !== 'events') {
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
    const handlers = (m: (typeof ALL_MODULES)[number]) =>
      ALL_MODULES.filter((s) => s.subscribes?.some((ref) => ref.module === m.name)).map((s) => s.name);
    return ALL_MODULES.map((m) => ({ name: m.name, uses: m.uses.map((used) => used.name), notifies: handlers(m) }));
  },
  signal: interrupt.signal,
});
