// Turns a run's results into bench/RESULTS.md and the port-call chart.
import type { Figure, ScenarioResult, Target } from './scenario.js';

/** Machine is what a reader needs to weigh the figures: where and when they were taken. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  date: string;
  /** 1-minute load average at the start and at the end: other work on the machine skews every figure. */
  load: { start: number; end: number };
}

/** ScenarioOutcome is one scenario of the run: its result, or the error it threw. */
export interface ScenarioOutcome {
  name: string;
  seconds: number;
  result?: ScenarioResult;
  error?: string;
}

export interface ReportOptions {
  machine: Machine;
  outcomes: ScenarioOutcome[];
  quick: boolean;
  /** Chart file, relative to the report, if one was drawn. */
  chart?: string;
  totalSeconds: number;
  /** How long a run of every scenario may take, in seconds; left out for a run of some (--only). */
  limitSeconds?: number;
}

/** formatValue prints a figure with as many digits as its size deserves. */
export function formatValue(value: number, unit: Figure['unit']): string {
  if (unit === 'rows/s' || unit === 'req/s') return Math.round(value).toLocaleString('en');
  if (Math.abs(value) < 1) return value.toFixed(3);
  if (Math.abs(value) < 10) return value.toFixed(2);
  if (Math.abs(value) < 1000) return value.toFixed(1);
  return Math.round(value).toLocaleString('en');
}

const cell = (text: string | number) => String(text).replaceAll('|', '\\|').replaceAll('\n', ' ');
const row = (cells: (string | number)[]) => `| ${cells.map(cell).join(' | ')} |`;

function figuresTable(figures: Figure[]): string[] {
  const extras = [...new Set(figures.flatMap((f) => Object.keys(f.extra ?? {})))];
  const lines = [
    row(['Measure', 'Median', 'Spread (min–max)', 'Unit', ...extras]),
    row(['---', '---:', '---:', '---', ...extras.map(() => '---:')]),
  ];
  for (const f of figures) {
    const spread = `${formatValue(f.min, f.unit)} – ${formatValue(f.max, f.unit)}`;
    const extra = (k: string) => {
      const value = f.extra?.[k] ?? '';
      if (typeof value !== 'number') return value;
      // A count (clients, processes, rows) stays a whole number whatever the figure's unit.
      return Number.isInteger(value) ? value.toLocaleString('en') : formatValue(value, f.unit);
    };
    lines.push(row([f.name, formatValue(f.median, f.unit), spread, f.unit, ...extras.map(extra)]));
  }
  return lines;
}

/** A target's value: whole numbers (rows/s, MB) with separators, ratios and µs to two places. */
const targetValue = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en') : v.toFixed(2));

function targetsTable(targets: Target[]): string[] {
  return [
    row(['Target', 'This run', 'Limit', 'Met']),
    row(['---', '---:', '---', '---']),
    ...targets.map((t) => row([t.name, targetValue(t.value), t.limit, t.met ? 'met' : '**not met**'])),
  ];
}

/**
 * renderReport writes the Markdown of one run: the machine, then per scenario its
 * figures, its targets and its notes, and a scenario that threw as its error.
 *
 * @example writeFileSync('bench/RESULTS.md', renderReport({ machine, outcomes, quick: false, chart: 'ports.svg', totalSeconds }))
 */
export function renderReport({ machine, outcomes, quick, chart, totalSeconds, limitSeconds }: ReportOptions): string {
  const limit = limitSeconds === undefined ? '' : ` (limit ${limitSeconds} s: ${totalSeconds < limitSeconds ? 'within' : '**over**'})`;
  const out = [
    `# Benchmark results${quick ? ' (quick smoke run: not measurements)' : ''}`,
    '',
    'Written by `npm run bench` (bench/run.ts). Each figure is the median over repeated runs, with the spread from the lowest to the highest run. Targets compare figures taken side by side in this run; only throughput and memory have absolute limits.',
    '',
    '## Machine',
    '',
    `- CPU: ${machine.cpu}, ${machine.cores} cores`,
    `- Memory: ${machine.memoryGb} GB`,
    `- OS: ${machine.os}`,
    `- Node: ${machine.node}`,
    `- Date: ${machine.date}`,
    `- Load average (1 min): ${machine.load.start.toFixed(2)} at the start, ${machine.load.end.toFixed(2)} at the end`,
    `- Run took ${totalSeconds.toFixed(0)} s${limit}: ${outcomes.map((o) => `${o.name} ${o.seconds.toFixed(0)} s`).join(', ')}`,
  ];
  // Every target in one place, so a reader sees what is met before the tables that back it.
  const all = outcomes.flatMap((o) => o.result?.targets ?? []);
  if (all.length) out.push('', '## Targets', '', `${all.filter((t) => t.met).length} of ${all.length} met.`, '', ...targetsTable(all));
  for (const o of outcomes) {
    out.push('', `## ${o.result?.title ?? o.name}`, '', `Scenario \`${o.name}\`.`, '');
    if (!o.result) {
      out.push(`**Failed:** ${o.error ?? 'no result'}`);
      continue;
    }
    out.push(...figuresTable(o.result.figures));
    if (o.result.targets?.length) out.push('', ...targetsTable(o.result.targets));
    if (o.name === 'ports' && chart) out.push('', `![Per-call latency of each kind of port call](${chart})`);
    if (o.result.notes?.length) out.push('', ...o.result.notes.map((n) => `- ${n}`));
  }
  return `${out.join('\n')}\n`;
}

const escapeXml = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * renderBarChart draws figures as a horizontal bar chart: a bar to each median and a
 * whisker across the spread, on a log scale, since a direct call and an HTTP call sit
 * three decades apart and a linear axis would show the in-process bars as nothing.
 *
 * @example writeFileSync('bench/ports.svg', renderBarChart('Per call, µs', result.figures))
 */
export function renderBarChart(title: string, figures: Figure[]): string {
  const label = 330;
  const plot = 440;
  const rowHeight = 30;
  const top = 40;
  const width = label + plot + 90;
  const height = top + figures.length * rowHeight + 40;
  const positive = figures.flatMap((f) => [f.min, f.max, f.median]).filter((v) => v > 0);
  const lowExp = Math.floor(Math.log10(Math.min(...positive, 1)));
  const highExp = Math.ceil(Math.log10(Math.max(...positive, 10)));
  const low = 10 ** lowExp;
  const high = 10 ** highExp;
  const x = (v: number) => label + (plot * Math.log10(Math.max(v, low) / low)) / Math.log10(high / low);
  const unit = figures[0]?.unit ?? '';

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  const bottom = top + figures.length * rowHeight;
  for (let exp = lowExp; exp <= highExp; exp++) {
    const tick = 10 ** exp;
    const tx = x(tick).toFixed(1);
    parts.push(`<line x1="${tx}" y1="${top - 4}" x2="${tx}" y2="${bottom}" stroke="#ddd"/>`);
    parts.push(`<text x="${tx}" y="${bottom + 16}" text-anchor="middle" fill="#555">${Number(tick.toPrecision(1))} ${escapeXml(unit)}</text>`);
  }
  figures.forEach((f, i) => {
    const y = top + i * rowHeight;
    const mid = y + rowHeight / 2;
    const floor = f.name.startsWith('floor');
    parts.push(`<text x="${label - 8}" y="${mid + 4}" text-anchor="end">${escapeXml(f.name)}</text>`);
    parts.push(`<rect x="${label}" y="${y + 6}" width="${(x(f.median) - label).toFixed(1)}" height="${rowHeight - 12}" fill="${floor ? '#9aa5b1' : '#3b7dd8'}"/>`);
    parts.push(`<line x1="${x(f.min).toFixed(1)}" y1="${mid}" x2="${x(f.max).toFixed(1)}" y2="${mid}" stroke="#222" stroke-width="1.5"/>`);
    for (const end of [f.min, f.max]) {
      parts.push(`<line x1="${x(end).toFixed(1)}" y1="${mid - 5}" x2="${x(end).toFixed(1)}" y2="${mid + 5}" stroke="#222" stroke-width="1.5"/>`);
    }
    parts.push(`<text x="${(Math.max(x(f.max), x(f.median)) + 6).toFixed(1)}" y="${mid + 4}">${formatValue(f.median, f.unit)}</text>`);
  });
  parts.push(`<text x="${width / 2}" y="${height - 6}" text-anchor="middle" fill="#555">median of the runs' p50 (bar), lowest to highest run (whisker); log scale</text>`);
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
