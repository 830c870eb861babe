/**
 * Architecture rules, checked by `pnpm lint:deps`
 * (`depcruise --config .dependency-cruiser.cjs --ignore-known .dependency-cruiser-known-violations.json …`).
 *
 * - @arbiter/core is the pure domain: its sources depend only on each other, luxon and mustache
 *   (no node built-ins, no SDKs, no other workspace package). Its tests and test support may use
 *   more (the purity test parses the sources with `typescript`).
 * - No circular dependencies anywhere.
 * - A service never imports another service; shared code lives in packages.
 * - Packages never import services.
 * - Production sources (the src/ of packages and services) never import tools/ (the local stack, the
 *   test harness).
 * - Use cases never import a cloud SDK (`@google-cloud/*`): in a service, only adapters (files named
 *   after their technology: `*.firestore.ts`, `bigquery.*.ts`, `*.gcs.ts`, …) and the composition root
 *   (`main.ts`) may. The modules that still do are listed in
 *   `.dependency-cruiser-known-violations.json`; the list may only shrink (regenerate it with
 *   `depcruise --config .dependency-cruiser.cjs --output-type baseline --output-to .dependency-cruiser-known-violations.json packages services tools infra schemas` only when removing entries).
 *
 * `packages/core/src/purity.test.ts` complements the first rule with what a module graph cannot see:
 * globals such as `process`, `console`, `Date.now`, `Math.random`, timers and `fetch`.
 */
const CORE_SOURCE = '^packages/core/src/';
const TEST_FILE = '\\.(test|int\\.test|e2e\\.test)\\.ts$|\\.test-support\\.ts$';
/** Service files allowed to talk to a cloud SDK: adapters named after their technology, and the composition root. */
const ADAPTER_OR_ROOT = '(firestore|bigquery|pubsub|gcs)[^/]*\\.ts$|/main\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      severity: 'error',
      comment:
        '@arbiter/core may depend only on its own files, luxon and mustache: no node built-ins, no SDKs, ' +
        'no other packages. Move I/O to an adapter in a service or in @arbiter/platform.',
      from: { path: CORE_SOURCE, pathNot: TEST_FILE },
      to: {
        pathNot: [CORE_SOURCE, 'node_modules/(@types/)?(luxon|mustache)/'],
      },
    },
    {
      name: 'core-no-node-builtins',
      severity: 'error',
      comment: '@arbiter/core must not use node built-ins (fs, http, crypto, process, …).',
      from: { path: CORE_SOURCE, pathNot: TEST_FILE },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-resolvable',
      severity: 'error',
      comment: 'Every import of @arbiter/core must resolve (an unresolvable import escapes the other core rules).',
      from: { path: CORE_SOURCE },
      to: { couldNotResolve: true },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Circular dependencies make modules impossible to reason about (and to load in order).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-service-to-service',
      severity: 'error',
      comment: 'Services talk through events, never through each other’s code; share code through packages.',
      from: { path: '^services/([^/]+)/' },
      to: { path: '^services/', pathNot: '^services/$1/' },
    },
    {
      name: 'use-cases-without-cloud-sdk',
      severity: 'error',
      comment:
        'A use case reaches Firestore, BigQuery or Pub/Sub only through its ports: put the SDK call in an ' +
        'adapter named after its technology (`thing.firestore.ts`) and wire it in main.ts.',
      from: { path: '^services/[^/]+/src/', pathNot: [TEST_FILE, ADAPTER_OR_ROOT] },
      to: { path: 'node_modules/@google-cloud/' },
    },
    {
      name: 'packages-not-to-services',
      severity: 'error',
      comment: 'Packages are shared building blocks; they must not depend on a service.',
      from: { path: '^packages/' },
      to: { path: '^services/' },
    },
    {
      name: 'production-code-not-to-tools',
      severity: 'error',
      comment:
        'The local stack and the test harness (tools/) run the code from outside; production sources never ' +
        'import them (their tests and test support may).',
      from: { path: '^(packages|services)/[^/]+/src/', pathNot: TEST_FILE },
      to: { path: '^tools/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.tests.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'require', 'node', 'default'],
      mainFields: ['types', 'typings', 'main'],
      extensions: ['.ts', '.d.ts', '.js', '.cjs', '.mjs', '.json'],
    },
  },
};
