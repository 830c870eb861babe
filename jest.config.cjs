/**
 * Two kinds of Jest project:
 * - unit: beside the code (`src/**\/*.test.ts`), no I/O, run in parallel;
 * - integration: `*.int.test.ts` / `*.e2e.test.ts` against the real emulators, which the global setup
 *   starts once (as processes, or with testcontainers when a Docker engine answers) and stops after.
 * Workspace packages resolve to their TypeScript sources, so tests never see a stale build.
 */
const path = require('node:path');

const workspace = {
  '@arbiter/core': 'packages/core/src',
  '@arbiter/contract': 'packages/contract/src',
  '@arbiter/policy': 'packages/policy/src',
  '@arbiter/platform': 'packages/platform/src',
  '@arbiter/platform/testing': 'packages/platform/src/ports.test-support',
  '@arbiter/case-store': 'packages/case-store/src',
  '@arbiter/local-stack': 'tools/local-stack/src',
  '@arbiter/audit-exporter/learning-loop': 'services/audit-exporter/src/learning-loop',
  '@arbiter/testing': 'tools/testing/src',
};
const moduleNameMapper = Object.fromEntries(
  Object.entries(workspace).map(([name, dir]) => [`^${name}$`, path.join(__dirname, dir)]),
);
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.tests.json') }],
};
const common = {
  rootDir: __dirname,
  moduleNameMapper,
  transform,
  testEnvironment: 'node',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{packages,services,tools,infra,schemas}/**/*.test.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '\\.int\\.test\\.ts$', '\\.e2e\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{packages,services,tools,infra,schemas,tests,bench}/**/*.{int,e2e}.test.ts'],
      globalSetup: '<rootDir>/tools/testing/dist/global-setup.js',
      globalTeardown: '<rootDir>/tools/testing/dist/global-teardown.js',
    },
  ],
};
