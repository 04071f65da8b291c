// Preloaded (node --require) into a bench server by the `seams` scenario, and nowhere else.
// Each SIGUSR2 starts or stops a probe of the main thread. While on, it adds up the time
// spent inside better-sqlite3's statement calls and counts them; with the word "profile"
// in $SEAM_PROBE_DIR/mode when it starts, it also runs V8's CPU profiler. Stopping writes
// $SEAM_PROBE_DIR/<pid>.json (and <pid>.cpuprofile). Only the main thread is probed: the
// checkpoint thread's statements do not hold up requests.
const { isMainThread } = require('node:worker_threads');
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const inspector = require('node:inspector');
const Database = require('better-sqlite3');

const dir = process.env.SEAM_PROBE_DIR;
if (isMainThread && dir) {
  let on = false;
  let sqliteMs = 0;
  let statements = 0;
  let session;

  /** timed is `original` adding its time to the probe's while the probe is on. */
  const timed = (original) =>
    function timedCall(...args) {
      if (!on) return original.apply(this, args);
      const start = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        sqliteMs += performance.now() - start;
        statements++;
      }
    };
  // Every statement Carve or a baseline runs goes through one of these, BEGIN and COMMIT included.
  const probe = new Database(':memory:');
  const Statement = probe.prepare('select 1').constructor;
  probe.close();
  for (const method of ['run', 'get', 'all']) Statement.prototype[method] = timed(Statement.prototype[method]);
  Database.prototype.exec = timed(Database.prototype.exec);

  const write = (profile) => {
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ sqliteMs, statements }));
    if (profile) writeFileSync(join(dir, `${process.pid}.cpuprofile`), JSON.stringify(profile));
  };
  process.on('SIGUSR2', () => {
    if (!on) {
      sqliteMs = 0;
      statements = 0;
      const mode = join(dir, 'mode');
      if (existsSync(mode) && readFileSync(mode, 'utf8').includes('profile')) {
        session = new inspector.Session();
        session.connect();
        session.post('Profiler.enable', () => session.post('Profiler.start'));
      }
      on = true;
      return;
    }
    on = false;
    if (!session) return write(undefined);
    const done = session;
    session = undefined;
    done.post('Profiler.stop', (err, result) => {
      done.disconnect();
      write(err ? undefined : result.profile);
    });
  });
}
