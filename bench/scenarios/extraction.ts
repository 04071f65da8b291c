// Rows per second that `carve extract` and `carve absorb` move: the notifications
// module's rows from SQLite into Postgres, and back into a fresh SQLite file.
import { join } from 'node:path';
import { moveModule } from '../../src/extracted/data-move/move-module.js';
import { seedNotifications } from '../../src/extracted/data-move/data-move.test-db.js';
import { type TestDatabase, createTestDatabase } from '../../test/support/postgres.js';
import { figureOf } from '../latency-runs.js';
import { median } from '../support/stats.js';
import type { Scenario } from '../scenario.js';

const run: Scenario = async ({ quick, workDir, log }) => {
  const rows = quick ? 5_000 : 100_000;
  const runs = quick ? 2 : 3;
  const monolith = join(workDir, 'monolith', 'notifications.db');
  await seedNotifications(monolith, rows);
  log(`seeded ${rows} notifications rows in SQLite`);

  const databases: TestDatabase[] = [];
  const extract = { moved: [] as number[], whole: [] as number[] };
  const absorb = { moved: [] as number[], whole: [] as number[] };
  const time = async (from: string, to: string, into: typeof extract) => {
    const started = performance.now();
    const report = await moveModule({ module: 'notifications', from, to });
    const seconds = (performance.now() - started) / 1000;
    if (report.outcome !== 'copied' || report.sent !== rows) throw new Error(`moved ${report.sent} of ${rows} rows (${report.outcome})`);
    into.moved.push(report.sent / report.seconds);
    into.whole.push(rows / seconds);
  };
  try {
    for (let i = 1; i <= runs; i++) {
      const service = await createTestDatabase();
      databases.push(service);
      await time(`sqlite:${monolith}`, service.url, extract);
      await time(service.url, `sqlite:${join(workDir, `absorbed-${i}`, 'notifications.db')}`, absorb);
      log(`run ${i}/${runs} done`);
    }
  } finally {
    await Promise.all(databases.map((d) => d.drop()));
  }


  const target = (name: string, rowsPerSecond: number) => ({
    name: `${name}, rows/s (copy, median)`,
    value: Math.round(rowsPerSecond),
    limit: '≥ 50,000',
    met: rowsPerSecond >= 50_000,
  });
  return {
    title: 'Moving a module’s data: carve extract and absorb',
    targets: [target('extract: SQLite → Postgres', median(extract.moved)), target('absorb: Postgres → SQLite', median(absorb.moved))],
    figures: [
      figureOf('extract: SQLite → Postgres', extract.moved, 'rows/s', { rows, 'whole move, rows/s': median(extract.whole) }),
      figureOf('absorb: Postgres → SQLite', absorb.moved, 'rows/s', { rows, 'whole move, rows/s': median(absorb.whole) }),
    ],
    notes: [
      `moveModule on the notifications module, ${rows.toLocaleString('en')} rows, median of ${runs} runs, each into a fresh target; spread is the slowest and fastest run.`,
      'rows/s counts the copy as moveModule reports it (rows sent ÷ its seconds); "whole move" divides by the wall time of the call, migrations, shape checks and checksums included.',
      `Postgres at ${new URL(process.env.TEST_DATABASE_URL || 'postgres://127.0.0.1:5432').host}, a fresh database per run.`,
    ],
  };
};

export default run;
