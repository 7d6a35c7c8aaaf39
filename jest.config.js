// Jest: two projects.
//   unit         every *.test.ts under src/, workflows/, activities/ and test/ except *.int.test.ts; needs nothing
//                running (workflows/scheduled-event.test.ts starts a dev server of its own from the built CLI)
//   integration  *.int.test.ts; test/global-setup.ts starts a private Temporal dev server (temporal-dev.sh) on free
//                ports and bundles the workflow code once, test/global-teardown.ts stops it
// `npm test` runs `tsc --noEmit` first, so ts-jest only transpiles: tsconfig.json sets `isolatedModules: true`, which
// makes ts-jest use `transpileModule` (no type-check per file; fast). `npm run test:unit` skips the integration
// project, and with it the server.

/** ts-jest, reading the project's tsconfig.json (CommonJS output, isolatedModules). */
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };

/** @type {import('jest').Config['projects'][number]} */
const common = {
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/', '<rootDir>/.temporal/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/src', '<rootDir>/workflows', '<rootDir>/activities', '<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '\\.int\\.test\\.ts$'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int.test.ts', '<rootDir>/**/*.int.test.ts'],
      testPathIgnorePatterns: [...common.testPathIgnorePatterns, '<rootDir>/bench/'],
      // Run only when an integration test is selected (Jest runs a project's global hooks only for its tests).
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      // Jest ignores a project-level testTimeout, so the 60 s test/hook timeout is set by a setup file.
      setupFilesAfterEnv: ['<rootDir>/test/setup-integration.ts'],
      // Tests against a real server take seconds; flag a file as slow only past 30 s.
      slowTestThreshold: 30,
    },
  ],
};
