import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** startMain runs the real entry point, as `npm start` does, and collects its output. */
function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

async function waitFor(check: () => string | undefined, ms = 20_000): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const found = check();
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}

describe('starting the monolith', () => {
  it('refuses to start with bad configuration, naming every bad variable', async () => {
    const run = startMain({ PORT: 'eighty', CURRENCY: 'dollars' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/Invalid configuration:/);
    expect(run.output()).toMatch(/PORT: .*"eighty"/);
    expect(run.output()).toMatch(/CURRENCY: expected an ISO 4217 code/);
  });

  it('starts on an empty data directory, serves, and stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'carve-main-'));
    try {
      const run = startMain({ DATA_DIR: dataDir });
      // PORT=0 lets the OS choose; the start-up line names the port it chose.
      const base = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(run.output())?.[1]);
      const products = (await (await fetch(`${base}/api/catalog/products`)).json()) as { items: unknown[] };
      expect(products.items.length).toBeGreaterThan(0);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.output()).toMatch(/shutting down/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
