// npm run bench [-- --quick] [--only <name>[,<name>]] [--out <dir>]
// Runs every scenario in bench/scenarios/index.ts in turn (those marked byName only when
// named) and writes bench/RESULTS.md and bench/ports.svg; --quick is the smoke run and
// writes RESULTS.quick.md and ports.quick.svg, and a run of some scenarios (--only)
// writes RESULTS.partial.md and ports.partial.svg, so neither replaces the full report.
import 'reflect-metadata';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type Machine, type ScenarioOutcome, renderBarChart, renderReport } from './report.js';
import { scenarios } from './scenarios/index.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string', default: import.meta.dirname },
  },
});
const quick = values.quick!;
const only = values.only?.split(',').map((s) => s.trim());
const outDir = resolve(values.out!);
const print = (line: string) => process.stdout.write(`${line}\n`);

const unknown = only?.filter((name) => !scenarios.some((s) => s.name === name)) ?? [];
if (unknown.length) {
  process.stderr.write(`No scenario ${unknown.join(', ')}; there are: ${scenarios.map((s) => s.name).join(', ')}\n`);
  process.exit(2);
}
const chosen = scenarios.filter((s) => (only ? only.includes(s.name) : !s.byName));

const machine: Machine = {
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()}`,
  node: process.version,
  date: new Date().toISOString(),
  load: { start: loadavg()[0]!, end: Number.NaN },
};
print(`bench${quick ? ' --quick' : ''}: ${chosen.map((s) => s.name).join(', ')} on ${machine.cpu} × ${machine.cores}, Node ${machine.node}`);

const started = performance.now();
const outcomes: ScenarioOutcome[] = [];
for (const entry of chosen) {
  const workDir = mkdtempSync(join(tmpdir(), `carve-bench-${entry.name}-`));
  const t0 = performance.now();
  const log = (line: string) => print(`[${entry.name} ${((performance.now() - t0) / 1000).toFixed(1)}s] ${line}`);
  log('starting');
  try {
    const scenario = await entry.load();
    const result = await scenario({ quick, workDir, log });
    outcomes.push({ name: entry.name, seconds: (performance.now() - t0) / 1000, result });
    log('done');
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    outcomes.push({ name: entry.name, seconds: (performance.now() - t0) / 1000, error: error.split('\n')[0]! });
    log(`FAILED: ${error}`);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

machine.load.end = loadavg()[0]!;
mkdirSync(outDir, { recursive: true });
const suffix = quick ? '.quick' : only ? '.partial' : '';
const ports = outcomes.find((o) => o.name === 'ports')?.result;
const chart = ports ? `ports${suffix}.svg` : undefined;
if (ports && chart) writeFileSync(join(outDir, chart), renderBarChart('The price of a port: µs per call', ports.figures));
const report = join(outDir, `RESULTS${suffix}.md`);
const totalSeconds = (performance.now() - started) / 1000;
writeFileSync(report, renderReport({ machine, outcomes, quick, chart, totalSeconds, limitSeconds: only ? undefined : quick ? 60 : 600 }));
print(`wrote ${report}${chart ? ` and ${join(outDir, chart)}` : ''} in ${totalSeconds.toFixed(0)} s`);

const failed = outcomes.filter((o) => o.error);
if (failed.length) {
  process.stderr.write(`bench: scenario(s) failed: ${failed.map((o) => `${o.name} (${o.error})`).join('; ')}\n`);
  process.exit(1);
}
// Pools and sockets a scenario leaves open must not keep the run alive.
process.exit(0);
