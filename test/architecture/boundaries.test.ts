import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const DEPCRUISE = join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');

interface CruiseResult {
  modules: { source: string; dependencies: { resolved: string }[] }[];
  summary: {
    totalCruised: number;
    totalDependenciesCruised: number;
    violations: { from: string; to: string; rule: { name: string } }[];
  };
}

/** depcruise runs `depcruise src --config .dependency-cruiser.cjs ...extra` in `cwd`, as `npm run boundaries` does. */
function depcruise(cwd: string, extra: string[] = []): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const args = [DEPCRUISE, 'src', '--config', CONFIG, ...extra];
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ exitCode: err ? Number(err.code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** cruise returns depcruise's JSON report; the JSON reporter always exits 0, so the report is what we judge. */
async function cruise(cwd: string): Promise<CruiseResult> {
  const { stdout, stderr } = await depcruise(cwd, ['--output-type', 'json']);
  try {
    return JSON.parse(stdout) as CruiseResult;
  } catch {
    throw new Error(`depcruise gave no report: ${stderr}`);
  }
}

const describeViolation = (v: CruiseResult['summary']['violations'][number]) => `${v.rule.name}: ${v.from} → ${v.to}`;

// A small tree with one planted violation of each rule, beside imports the rules allow.
const PLANTED: Record<string, string> = {
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler' } }),
  'src/modules/catalog/contract.ts': 'export const catalogContract = { name: "catalog" };',
  'src/modules/catalog/catalog.tables.sqlite.ts': 'export const products = {};',
  'src/modules/catalog/catalog.repository.ts':
    "import { products } from './catalog.tables.sqlite.js';\nexport const repo = products;",
  'src/modules/catalog/catalog.module.ts':
    "import { catalogContract } from './contract.js';\nimport { repo } from './catalog.repository.js';\nexport const catalogModule = { catalogContract, repo };",
  'src/modules/catalog/index.ts': "export * from './contract.js';\nexport * from './catalog.repository.js';",
  'src/modules/orders/via-index.ts': "import { catalogContract } from '../catalog/index.js';\nexport const c = catalogContract;",
  'src/modules/orders/contract.ts':
    "import { catalogContract } from '../catalog/contract.js';\nexport const ordersContract = { uses: catalogContract };",
  'src/modules/orders/x.ts': "import { repo } from '../catalog/catalog.repository.js';\nexport const x = repo;",
  'src/modules/orders/peek.ts':
    "import type { products } from '../catalog/catalog.tables.sqlite.js';\nexport type Peek = typeof products;",
  'src/modules/orders/a.ts': "import { b } from './b.js';\nexport const a = () => b;",
  'src/modules/orders/b.ts': "import { a } from './a.js';\nexport const b = () => a;",
  'src/modules/orders/typo.ts': "import { gone } from './missing.js';\nexport const typo = gone;",
  'src/shared/kernel.ts': "import { ordersContract } from '../modules/orders/contract.js';\nexport const k = ordersContract;",
  'src/composition-root.ts':
    "import { catalogModule } from './modules/catalog/catalog.module.js';\nimport { repo } from './modules/catalog/catalog.repository.js';\nimport { remote } from './shared/remote/remote-port.js';\nexport const root = { catalogModule, repo, remote };",
  'src/shared/remote/remote-port.ts': 'export const remote = {};',
  'src/modules/orders/knows-placement.ts':
    "import { remote } from '../../shared/remote/remote-port.js';\nexport const payments = remote;",
  'src/extracted/catalog-server.ts':
    "import { products } from '../modules/catalog/catalog.tables.sqlite.js';\nexport const server = products;",
};

const EXPECTED = [
  'only-contracts-across-modules: src/modules/orders/x.ts → src/modules/catalog/catalog.repository.ts',
  'only-contracts-across-modules: src/modules/orders/peek.ts → src/modules/catalog/catalog.tables.sqlite.ts',
  'no-foreign-tables: src/modules/orders/peek.ts → src/modules/catalog/catalog.tables.sqlite.ts',
  'index-exposes-only-the-contract: src/modules/catalog/index.ts → src/modules/catalog/catalog.repository.ts',
  'shared-imports-no-module: src/shared/kernel.ts → src/modules/orders/contract.ts',
  'hosts-import-module-entry-points: src/composition-root.ts → src/modules/catalog/catalog.repository.ts',
  'hosts-import-module-entry-points: src/extracted/catalog-server.ts → src/modules/catalog/catalog.tables.sqlite.ts',
  'no-tables-outside-modules: src/extracted/catalog-server.ts → src/modules/catalog/catalog.tables.sqlite.ts',
  'placement-only-in-the-composition-root: src/modules/orders/knows-placement.ts → src/shared/remote/remote-port.ts',
  'no-circular: src/modules/orders/a.ts → src/modules/orders/b.ts',
  'not-to-unresolvable: src/modules/orders/typo.ts → ./missing.js',
];

describe('the boundary check', () => {
  let dir: string;
  let planted: CruiseResult;
  let real: CruiseResult;
  let plantedRun: { exitCode: number };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'carve-boundaries-'));
    for (const [file, text] of Object.entries(PLANTED)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), `${text}\n`);
    }
    [planted, real, plantedRun] = await Promise.all([cruise(dir), cruise(ROOT), depcruise(dir)]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(EXPECTED)('reports %s', (violation) => {
    expect(planted.summary.violations.map(describeViolation)).toContain(violation);
  });

  it('allows contracts across modules, module files in hosts and tables in their own module', () => {
    expect(planted.summary.violations.map(describeViolation).sort()).toEqual([...EXPECTED].sort());
  });

  it('fails `npm run boundaries` when it finds a violation', () => {
    expect(plantedRun.exitCode).not.toBe(0);
  });

  it('sees the real tree, resolving .js specifiers to .ts files', () => {
    // A check that resolves nothing finds nothing: prove it walked the imports.
    expect(real.summary.totalCruised).toBeGreaterThan(50);
    expect(real.summary.totalDependenciesCruised).toBeGreaterThan(100);
    const root = real.modules.find((m) => m.source === 'src/composition-root.ts');
    expect(root?.dependencies.map((d) => d.resolved)).toContain('src/modules/notifications/notifications.module.ts');
  });

  it('finds no violation in the real tree', () => {
    expect(real.summary.violations.map(describeViolation)).toEqual([]);
  });
});
