import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/**
 * startMain runs the real entry point from its sources (or `npm run service` with `args`),
 * and collects its output. Arguments naming a .js file run as they are: the bundle.
 */
function startMain(env: Record<string, string>, args = ['src/main.ts']) {
  const loader = args[0]!.endsWith('.js') ? ['--enable-source-maps'] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, ...args], {
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

type Account = { email: string; password: string; name: string };

const postJson = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

async function signIn(base: string, who: Account): Promise<string> {
  return ((await (await postJson(`${base}/api/identity/sessions`, who)).json()) as { token: string }).token;
}

async function signUp(base: string, who: Account): Promise<string> {
  expect((await postJson(`${base}/api/identity/users`, who)).status).toBe(201);
  return signIn(base, who);
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

describe('stopping the monolith', () => {
  it('finishes an order already under way on SIGTERM before closing its databases, though its client hung up', async () => {
    // A card provider that takes a second to answer, so the order is still being placed when the signal comes.
    let charged!: () => void;
    const charging = new Promise<void>((resolve) => (charged = resolve));
    const provider = createServer((req, res) => {
      req.resume().on('end', () => {
        charged();
        setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'ch_drain', status: 'succeeded' })), 1000);
      });
    });
    await new Promise<void>((resolve) => provider.listen(0, '127.0.0.1', resolve));
    const dataDir = mkdtempSync(join(tmpdir(), 'carve-drain-'));
    const env = { DATA_DIR: dataDir, PAYMENT_PROVIDER_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}` };
    try {
      const run = startMain(env);
      const base = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(run.output())?.[1]);
      const who = { email: 'drain@carve.test', password: 'correct-horse-battery', name: 'Drain' };
      const token = await signUp(base, who);
      const { items } = (await (await fetch(`${base}/api/catalog/products`)).json()) as { items: { id: string }[] };
      // The client goes away as a load generator's connections do when it stops: a reset, not a goodbye.
      const body = JSON.stringify({ items: [{ productId: items[0]!.id, quantity: 1 }], paymentToken: 'tok_visa' });
      const { hostname, port } = new URL(base);
      const client = connect(Number(port), hostname);
      client.write(
        `POST /api/orders HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\nauthorization: Bearer ${token}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      await charging;
      client.resetAndDestroy();
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.output()).not.toMatch(/not saved|not open/);

      const again = startMain(env);
      const after = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(again.output())?.[1]);
      const orders = (await (await fetch(`${after}/api/orders`, { headers: { authorization: `Bearer ${await signIn(after, who)}` } })).json()) as {
        items: { status: string }[];
      };
      expect(orders.items.map((o) => o.status)).toEqual(['paid']);
      again.child.kill('SIGTERM');
      expect(await again.exited).toBe(0);
    } finally {
      provider.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('starting a module as its own service', () => {
  const SECRET = 'a-shared-secret-of-32-characters!!';
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const service = (module: string, env: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'carve-svc-'));
    dirs.push(dir);
    return startMain({ DATA_DIR: dir, ...env }, ['src/extracted/service.ts', module]);
  };

  it('refuses to start without SERVICE_SECRET, naming it', async () => {
    const run = service('payments', { IDENTITY_URL: 'http://127.0.0.1:1' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/SERVICE_SECRET: required/);
  });

  it('refuses to start without the URL of a module it calls, naming the variable', async () => {
    const run = service('orders', { SERVICE_SECRET: SECRET, IDENTITY_URL: 'http://127.0.0.1:1' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/orders calls catalog, which does not run in this process: set CATALOG_URL/);
  });

  it('refuses an unknown module, listing the real ones', async () => {
    const run = service('billing', { SERVICE_SECRET: SECRET });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/There is no module billing; the modules are identity, catalog/);
  });

  it('refuses a monolith with a remote module but no SERVICE_SECRET, naming both', async () => {
    const run = startMain({ PAYMENTS_URL: 'http://127.0.0.1:1' });
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(/SERVICE_SECRET: required when a module is remote \(PAYMENTS_URL set\)/);
  });

  it('starts on its own SQLite file, before the module it calls is up, and says where it runs', async () => {
    const run = service('payments', { SERVICE_SECRET: SECRET, IDENTITY_URL: 'http://127.0.0.1:1' });
    const base = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(run.output())?.[1]);
    const ready = (await (await fetch(`${base}/ready`)).json()) as { status: string; modules: { name: string; mode: string }[] };
    // Identity being down does not make payments unready: only what it hosts decides that.
    expect(ready.status).toBe('ready');
    expect(ready.modules.map((m) => [m.name, m.mode])).toEqual([
      ['payments', 'in-process'],
      ['identity', 'remote'],
    ]);
    expect((await fetch(`${base}/api/identity/me`)).status).toBe(404);
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});

describe('the bundle that npm start and the image run', () => {
  const SECRET = 'a-shared-secret-of-32-characters!!';
  // The package's own build command, into a folder of this test's: what `npm run build` makes.
  const out = join('test-results', `bundle-${process.pid}`);
  const dirs: string[] = [];
  beforeAll(() => {
    const build = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { build: string } }).scripts.build;
    const [, ...args] = build.split(/\s+/).map((a) => (a.startsWith('--outdir=') ? `--outdir=${out}` : a));
    execFileSync(join(root, 'node_modules/.bin/esbuild'), args, { cwd: root, stdio: 'pipe' });
  });
  afterAll(() => {
    for (const dir of [...dirs, join(root, out)]) rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'carve-bundle-'));
    dirs.push(dir);
    return dir;
  };

  it('runs the storefront: migrations, every module wired, an order placed and paid, the admin page served', async () => {
    const run = startMain({ DATA_DIR: dataDir() }, [join(out, 'main.js')]);
    const base = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(run.output())?.[1]);
    const post = (path: string, body: unknown, token?: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const token = await signUp(base, { email: 'bundle@carve.test', password: 'correct-horse-battery', name: 'Bundle' });
    const { items } = (await (await fetch(`${base}/api/catalog/products`)).json()) as { items: { id: string }[] };
    const order = await post('/api/orders', { items: [{ productId: items[0]!.id, quantity: 1 }], paymentToken: 'tok_visa' }, token);
    expect(order.status).toBe(201);
    expect(((await order.json()) as { status: string }).status).toBe('paid');
    const page = await fetch(`${base}/_carve/carve.js`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/_carve/api/topology');
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });

  it('runs one module as a service', async () => {
    const run = startMain({ DATA_DIR: dataDir(), SERVICE_SECRET: SECRET, IDENTITY_URL: 'http://127.0.0.1:1' }, [join(out, 'service.js'), 'payments']);
    const base = await waitFor(() => /"url":"(http:\/\/[^"]+)"/.exec(run.output())?.[1]);
    const ready = (await (await fetch(`${base}/ready`)).json()) as { modules: { name: string; mode: string }[] };
    expect(ready.modules[0]).toMatchObject({ name: 'payments', mode: 'in-process' });
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  });
});
