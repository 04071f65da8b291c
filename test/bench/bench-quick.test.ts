import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scenarios } from '../../bench/scenarios/index.js';

const ROOT = join(import.meta.dirname, '../..');

/** run starts a command and resolves with its exit code and output, whatever the code. */
function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

// Keeps the harness from rotting: every scenario runs in its smoke version and lands in
// the report. Timings are whatever this machine gives; none is asserted.
describe('npm run bench -- --quick', { timeout: 120_000 }, () => {
  let out: string;
  let result: { code: number | null; output: string };

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'carve-bench-quick-'));
    result = await run('npx', ['tsx', 'bench/run.ts', '--quick', '--out', out]);
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs every scenario without an error', () => {
    expect(result.code, result.output).toBe(0);
  });

  it("checks after each SQLite flow's load that every paid order was notified", () => {
    for (const flow of ['hand-wired baseline (SQLite)', 'hand-wired, same writes as Carve (SQLite)', 'Carve monolith, SQLite']) {
      expect(result.output).toMatch(new RegExp(`${flow.replace(/[()]/g, '\\$&')}: all \\d+ paid orders notified`));
    }
    expect(result.output).toMatch(/each step saved before the next.*: all \d+ paid orders notified/);
  });

  it("splits each order's main-thread time into SQLite's statement calls and the rest, for Carve and the hand-wired flow", () => {
    const report = readFileSync(join(out, 'RESULTS.quick.md'), 'utf8');
    const section = report.split(/\n## /).find((s) => s.includes('Scenario `seams`.'))!;
    for (const flow of ['Carve monolith, SQLite', 'hand-wired, each step saved before the next']) {
      const statements = new RegExp(`\\| ${flow.replace(/[()]/g, '\\$&')}: SQLite statements an order \\| ([\\d.]+) \\|`).exec(section);
      // An order runs some forty statements, BEGIN, SAVEPOINT and COMMIT included: the probe saw each one.
      expect(Number(statements?.[1]), flow).toBeGreaterThan(30);
      expect(section).toMatch(new RegExp(`\\| ${flow}, profiled: own code \\(the bundle\\), an order \\| [\\d.]+`));
    }
  });

  it('writes a table for each scenario into the quick results file', () => {
    const report = readFileSync(join(out, 'RESULTS.quick.md'), 'utf8');
    expect(report).toMatch(/## Machine\n\n- CPU: .+, \d+ cores/);
    // Whether the run kept to the time it is allowed is said, not asserted: timings are the machine's.
    expect(report).toMatch(/- Run took \d+ s \(limit 60 s: (within|\*\*over\*\*)\): ports \d+ s/);
    for (const { name } of scenarios.filter((s) => !s.byName)) {
      const section = report.split(/\n## /).find((s) => s.includes(`Scenario \`${name}\`.`));
      expect(section, `no section for ${name}`).toBeDefined();
      expect(section, `no table for ${name}`).toMatch(/\| Measure \| Median \| Spread \(min–max\) \|.*\n\| --- \|.*\n\| .+\|/);
    }
    for (const { name } of scenarios.filter((s) => s.byName)) expect(report, `${name} runs only when named`).not.toContain(`Scenario \`${name}\`.`);
  });

  it('gathers every target at the top, each marked met or not met', () => {
    const report = readFileSync(join(out, 'RESULTS.quick.md'), 'utf8');
    const summary = report.split(/\n## /).find((s) => s.startsWith('Targets'));
    expect(summary, 'no Targets section').toMatch(/^Targets\n\n\d+ of \d+ met\./);
    const rows = summary!.split('\n').filter((l) => /^\| (?!Target|---)/.test(l));
    for (const t of ['in-process port overhead', 'HTTP port ÷ bare floor', 'hand-wired with the same writes,', 'same writes and commits grouped alike', 'lean hand-wired', 'extract: SQLite → Postgres', 'absorb: Postgres → SQLite', 'highest RSS of any process under load', 'highest RSS under load, MB, monolith run with', 'highest RSS of any Carve process during these order loads']) {
      expect(rows.some((r) => r.includes(t)), `no target row for ${t}`).toBe(true);
    }
    for (const r of rows) expect(r).toMatch(/\| (met|\*\*not met\*\*) \|$/);
  });

  it('draws the port-call chart and links it from the report', () => {
    const chart = join(out, 'ports.quick.svg');
    expect(existsSync(chart)).toBe(true);
    expect(readFileSync(chart, 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<rect [\s\S]*<\/svg>\n$/);
    expect(readFileSync(join(out, 'RESULTS.quick.md'), 'utf8')).toContain('](ports.quick.svg)');
  });
});

// A scenario run only by name (a diagnosis) must not rot either, nor run uninvited.
describe('npm run bench -- --quick --only <a scenario run only by name>', { timeout: 120_000 }, () => {
  const byName = scenarios.filter((s) => s.byName).map((s) => s.name);
  let out: string;
  let result: { code: number | null; output: string };

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'carve-bench-quick-'));
    result = await run('npx', ['tsx', 'bench/run.ts', '--quick', '--only', byName.join(','), '--out', out]);
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs and writes its table', () => {
    expect(byName.length).toBeGreaterThan(0);
    expect(result.code, result.output).toBe(0);
    const report = readFileSync(join(out, 'RESULTS.quick.md'), 'utf8');
    for (const name of byName) {
      const section = report.split(/\n## /).find((s) => s.includes(`Scenario \`${name}\`.`));
      expect(section, `no table for ${name}`).toMatch(/\| Measure \| Median \| Spread \(min–max\) \|.*\n\| --- \|.*\n\| .+\|/);
    }
  });
});

// A run of some scenarios at full length must leave the committed full report alone.
describe('npm run bench -- --only events', { timeout: 120_000 }, () => {
  let out: string;
  let result: { code: number | null; output: string };

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'carve-bench-only-'));
    result = await run('npx', ['tsx', 'bench/run.ts', '--only', 'events', '--out', out]);
  }, 120_000);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes its report as RESULTS.partial.md, never as RESULTS.md', () => {
    expect(result.code, result.output).toBe(0);
    expect(readFileSync(join(out, 'RESULTS.partial.md'), 'utf8')).toContain('Scenario `events`.');
    expect(existsSync(join(out, 'RESULTS.md'))).toBe(false);
  });
});
