/** Jest runs TypeScript as native ES modules; `./x.js` imports map back to `./x.ts`. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: [
    '<rootDir>/src/**/*.spec.ts',
    '<rootDir>/test/**/*.spec.ts',
    '<rootDir>/client/**/*.spec.ts',
  ],
  testTimeout: 120000,
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  collectCoverageFrom: ['src/**/*.ts', 'client/src/**/*.ts', '!**/*.spec.ts'],
};
