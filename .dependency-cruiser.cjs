// The module boundaries of Carve, checked by `npm run boundaries` (part of `npm test`).
// test/architecture/boundaries.test.ts plants a violation of each rule and shows it is caught.

// A module's public files: what other code may import from it.
const PUBLIC_FILE = '^src/modules/[^/]+/(contract|index)\\.ts$';
// drizzle table definitions: <m>.tables.ts, <m>.tables.sqlite.ts, <m>.tables.postgres.ts.
const TABLES_FILE = '^src/modules/[^/]+/[^/]+\\.tables[.a-z]*\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'only-contracts-across-modules',
      comment: "A module may import another module's contract.ts (or index.ts) and nothing else of it.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/[^/]+/', pathNot: ['^src/modules/$1/', PUBLIC_FILE] },
    },
    {
      name: 'index-exposes-only-the-contract',
      comment: "A module's index.ts re-exports its contract; re-exporting internals would open the module up.",
      severity: 'error',
      from: { path: '^src/modules/[^/]+/index\\.ts$' },
      to: { path: '^src/modules/', pathNot: '^src/modules/[^/]+/contract\\.ts$' },
    },
    {
      name: 'shared-imports-no-module',
      comment: 'The kernel in src/shared is below every module, so it may not know any of them.',
      severity: 'error',
      from: { path: '^src/shared/' },
      to: { path: '^src/modules/' },
    },
    {
      name: 'hosts-import-module-entry-points',
      comment:
        'Code outside the modules (composition-root.ts, main.ts, src/extracted/) wires modules ' +
        'through <m>.module.ts and contract.ts; their internals are theirs alone.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(modules|shared)/' },
      // \\1 ties the module file to its own folder: src/modules/orders/orders.module.ts.
      to: { path: '^src/modules/', pathNot: ['^src/modules/([^/]+)/\\1\\.module\\.ts$', PUBLIC_FILE] },
    },
    {
      name: 'no-foreign-tables',
      comment: "A module's tables are read and written by that module only: each module owns its data.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: TABLES_FILE, pathNot: '^src/modules/$1/' },
    },
    {
      name: 'no-tables-outside-modules',
      comment: "Nothing outside a module imports its tables; the two rules together say 'only the owner'.",
      severity: 'error',
      from: { pathNot: '^src/modules/' },
      to: { path: TABLES_FILE },
    },
    {
      name: 'placement-only-in-the-composition-root',
      comment:
        'Only the composition root knows where a module runs: the HTTP transport (src/shared/remote) ' +
        'is wired there, and no module or other host code reaches for it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/(composition-root|placement|event-routing)\\.ts$', '^src/shared/remote/'] },
      to: { path: '^src/shared/remote/' },
    },
    {
      name: 'no-circular',
      comment: 'Cycles hide which side owns a concept and break start-up order.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import the checker cannot resolve is an import it cannot check, so it fails too.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports couple modules as much as value imports do, so they count.
    tsPreCompilationDeps: true,
    // Imports say './x.js' for './x.ts' (moduleResolution Bundler); depcruise maps them when
    // it knows the tsconfig and the extensions to try.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
