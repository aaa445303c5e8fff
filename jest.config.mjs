// Jest runs in native ESM mode (NestJS 12 ships ESM only); `npm test` passes --experimental-vm-modules.
const tsJest = [
  'ts-jest',
  { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false },
];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts'],
  // Booting the app on PGlite takes 3 s on a quick machine and 7 s on a slow one, two suites at
  // a time: 30 s left a slow machine's CI one boot and a shutdown from a timeout.
  testTimeout: 60000,
  maxWorkers: 2,
};
