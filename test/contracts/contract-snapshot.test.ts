import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkContracts } from '../../src/extracted/contracts/check-contracts.js';
import { compareContracts } from '../../src/extracted/contracts/contract-diff.js';
import { DEFAULT_SNAPSHOT_DIR, MODULE_CONTRACTS } from '../../src/extracted/contracts/module-contracts.js';
import { snapshotContract } from '../../src/extracted/contracts/snapshot-contract.js';
import { writeSnapshots } from '../../src/extracted/contracts/snapshot-files.js';
import { stableJson } from '../../src/extracted/contracts/stable-json.js';
import { type AnyContract, defineContract, event, method } from '../../src/shared/contract/index.js';

describe('the committed contract snapshots', () => {
  it('hold no breaking change, unless its contract raised its version', async () => {
    const report = await checkContracts(MODULE_CONTRACTS, DEFAULT_SNAPSHOT_DIR);
    const unallowed = report.modules
      .filter((m) => m.breaking > 0 && !m.allowedByVersionRaise)
      .flatMap((m) => m.changes.filter((c) => c.breaking).map((c) => `${c.module} ${c.subject} ${c.path}: ${c.change}`));
    // Read the list: revert each change, or raise `version` and run `npm run carve -- contracts snapshot`.
    expect(unallowed).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('cover every module, each file named for its contract', async () => {
    for (const contract of MODULE_CONTRACTS) {
      const file = JSON.parse(await readFile(join(DEFAULT_SNAPSHOT_DIR, `${contract.name}.json`), 'utf8'));
      expect(file.module).toBe(contract.name);
      expect(Object.keys(file.methods).sort()).toEqual(Object.keys(contract.methods).sort());
    }
  });
});

// A small contract, and variants of it as a later commit might write them.
const Id = z.string().min(1).max(64);
const Item = z.object({ id: Id, name: z.string(), size: z.enum(['s', 'm', 'l']), price: z.number().int() });
const base = {
  name: 'shop',
  version: 1,
  errors: { ITEM_NOT_FOUND: { status: 404, title: 'Item not found' } },
  events: { ItemSold: event({ version: 1, payload: z.object({ itemId: Id, quantity: z.number().int() }), aggregate: 'itemId' }) },
  methods: {
    getItem: method({ input: z.object({ id: Id }), output: Item, errors: ['ITEM_NOT_FOUND'], idempotent: true }),
    findItems: method({ input: z.object({ size: z.enum(['s', 'm', 'l']) }), output: z.object({ items: z.array(Item) }), idempotent: true }),
  },
} as const;
const shopV1 = defineContract(base);

/** The changes from shop v1 to a variant, each as `<subject> <path>` with its verdict. */
function changesTo(variant: AnyContract) {
  return compareContracts(snapshotContract(shopV1), snapshotContract(variant)).map((c) => ({
    where: `${c.subject} ${c.path}`.trim(),
    verdict: c.breaking ? 'breaking' : 'compatible',
    change: c.change,
  }));
}

describe('a change planted in a contract is classified', () => {
  it.each([
    ['a removed method', { methods: { getItem: base.methods.getItem } }, 'method findItems', /method removed/],
    ['a removed event', { events: {} }, 'event ItemSold', /event removed/],
    [
      'a new required input field',
      { methods: { ...base.methods, getItem: method({ ...base.methods.getItem, input: z.object({ id: Id, locale: z.string() }) }) } },
      'method getItem input.locale',
      /required input field added/,
    ],
    [
      'a narrowed input enum',
      { methods: { ...base.methods, findItems: method({ ...base.methods.findItems, input: z.object({ size: z.enum(['s', 'm']) }) }) } },
      'method findItems input.size',
      /value "l" removed/,
    ],
    [
      'a loosened output field',
      { methods: { ...base.methods, getItem: method({ ...base.methods.getItem, output: Item.extend({ name: z.string().optional() }) }) } },
      'method getItem output.name',
      /required became optional/,
    ],
    [
      'a removed output field',
      { methods: { ...base.methods, getItem: method({ ...base.methods.getItem, output: Item.omit({ price: true }) }) } },
      'method getItem output.price',
      /output field removed/,
    ],
    [
      'a loosened event payload',
      { events: { ItemSold: event({ version: 1, payload: z.object({ itemId: Id, quantity: z.number() }), aggregate: 'itemId' }) } },
      'event ItemSold payload.quantity',
      /type widened from integer to number/,
    ],
  ])('%s is breaking', (_, change, where, what) => {
    const found = changesTo(defineContract({ ...base, ...change } as typeof base));
    expect(found).toContainEqual({ where, verdict: 'breaking', change: expect.stringMatching(what) });
  });

  it.each([
    [
      'a new optional input field',
      { methods: { ...base.methods, getItem: method({ ...base.methods.getItem, input: z.object({ id: Id, locale: z.string().optional() }) }) } },
      'method getItem input.locale',
    ],
    [
      'a new output field',
      { methods: { ...base.methods, getItem: method({ ...base.methods.getItem, output: Item.extend({ colour: z.string() }) }) } },
      'method getItem output.colour',
    ],
    ['a new method', { methods: { ...base.methods, countItems: method({ input: z.object({}), output: z.object({ count: z.number() }) }) } }, 'method countItems'],
    [
      'a new event',
      { events: { ...base.events, ItemAdded: event({ version: 1, payload: z.object({ itemId: Id }), aggregate: 'itemId' }) } },
      'event ItemAdded',
    ],
  ])('%s is compatible, and nothing else changed', (_, change, where) => {
    const found = changesTo(defineContract({ ...base, ...change } as typeof base));
    expect(found).toEqual([{ where, verdict: 'compatible', change: expect.any(String) }]);
  });
});

describe('checking a breaking change against a snapshot on disk', () => {
  let dir: string;
  const breakingV = (version: number) =>
    defineContract({ ...base, version, methods: { getItem: base.methods.getItem } } as unknown as typeof base);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carve-contracts-'));
    await writeSnapshots([shopV1], dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fails without a version raise', async () => {
    const report = await checkContracts([breakingV(1)], dir);
    expect(report.ok).toBe(false);
    expect(report.modules[0]).toMatchObject({ module: 'shop', breaking: 1, allowedByVersionRaise: false });
  });

  it('passes when the contract raised its version', async () => {
    const report = await checkContracts([breakingV(2)], dir);
    expect(report.ok).toBe(true);
    expect(report.modules[0]).toMatchObject({ snapshotVersion: 1, codeVersion: 2, breaking: 1, allowedByVersionRaise: true });
  });

  it('writes the same bytes for the same contract, so snapshots diff well', async () => {
    const written = await readFile(join(dir, 'shop.json'), 'utf8');
    expect(written).toBe(stableJson(snapshotContract(defineContract(base))));
    expect(written.endsWith('}\n')).toBe(true);
  });
});

describe('npx tsx src/extracted/carve.ts contracts', () => {
  let dir: string;
  const carve = (...args: string[]) =>
    promisify(execFile)('npx', ['tsx', 'src/extracted/carve.ts', 'contracts', ...args], { env: { ...process.env, NO_COLOR: '1' } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'carve-contracts-cli-'));
    await cp(DEFAULT_SNAPSHOT_DIR, dir, { recursive: true });
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('exits 1 and names the method when the snapshot has a method the code dropped', async () => {
    // Tamper the copy as if catalog once had a method that the code no longer has.
    const path = join(dir, 'catalog.json');
    const snapshot = JSON.parse(await readFile(path, 'utf8'));
    snapshot.methods.lookupLegacySku = snapshot.methods.getProduct;
    await writeFile(path, JSON.stringify(snapshot));

    const { code, stdout } = await carve('check', '--dir', dir);
    expect(code).toBe(1);
    expect(stdout).toMatch(/catalog\s+method lookupLegacySku\s+-\s+method removed.*breaking/);
    expect(stdout).toContain('raise `version` in src/modules/catalog/contract.ts');
    expect(stdout).toContain('npm run carve -- contracts snapshot');
  }, 60_000);

  it('exits 2 and names the snapshot command when a snapshot is missing', async () => {
    await rm(join(dir, 'orders.json'));
    const { code, stderr } = await carve('check', '--dir', dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(/No snapshot of the orders contract at .*orders\.json.*npm run carve -- contracts snapshot/);
  }, 60_000);

  it('exits 2 with the usage when the subcommand is missing or unknown', async () => {
    for (const args of [[], ['diff']]) {
      const { code, stderr } = await carve(...args);
      expect(code).toBe(2);
      expect(stderr).toContain('npm run carve -- contracts check');
    }
  }, 60_000);
});
