/** Tests mirror src/. TypeScript is transpiled only here; `tsc --noEmit` type-checks in `npm test`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // A diagnostic bound, not a speed check: e2e tests train models and start servers, and a
  // loaded 2-core machine can take several times longer than an idle one.
  testTimeout: 120000,
  maxWorkers: 2,
};
