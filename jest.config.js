/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Starts one Temporal dev server and one database server for the whole run (free ports, in a temp dir).
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // 2 cores: two test files at a time, beside the servers.
  maxWorkers: 2,
  testTimeout: 60_000,
  slowTestThreshold: 20,
};
