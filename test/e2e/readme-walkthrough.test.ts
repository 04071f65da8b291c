import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InProcessCarve, startCarve } from '../support/carve-harness.js';
import { listen } from '../support/listen.js';

/** walkthrough is the README's curl walk-through, exactly as a reader would paste it. */
function walkthrough(): string {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const section = readme.split('## A walk through the order flow')[1] ?? '';
  const script = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!script) throw new Error('README has no walk-through block');
  return script;
}

function requireTool(tool: string, install: string) {
  if (spawnSync('which', [tool]).status !== 0) throw new Error(`${tool} is needed for this test. Install it with: ${install}`);
}

describe('the README walk-through', () => {
  let t: InProcessCarve;
  let server: Awaited<ReturnType<typeof listen>>;
  beforeAll(async () => {
    requireTool('curl', 'apt-get install -y curl');
    requireTool('jq', 'apt-get install -y jq');
    // The README starts the server with these credentials and demo products.
    t = await startCarve('sqlite', { ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'change-me-please', SEED_DEMO: 'true' });
    server = await listen(t);
  });
  afterAll(async () => {
    await server?.close();
    await t?.stop();
  });

  it('works as written: an order is paid, a decline is a 402, the buyer is told, the admin sees payments', async () => {
    const script = walkthrough().replace('BASE=http://127.0.0.1:3000', `BASE=${server.url}`);
    expect(script).toContain(`BASE=${server.url}`);
    // Async, since the server answering curl runs on this same event loop.
    const { stdout: out } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { timeout: 20_000 });
    expect(out).toContain('"role":"customer"');
    expect(out).toMatch(/"status":"paid","totalCents":2800/);
    expect(out).toContain('"code":"PAYMENT_DECLINED"');
    expect(out).toContain('"kind":"order_paid"');
    expect(out).toMatch(/"status":"succeeded"/);
    expect(out).toMatch(/"status":"declined"/);
  });
});
