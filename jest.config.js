// Jest runs our ESM TypeScript through ts-jest under --experimental-vm-modules (see package.json),
// the same set-up actions/upload-artifact uses. Two projects: fast unit tests of src/, and
// end-to-end tests that run the committed bundle against the loopback simulators in sim/.
const common = {
  preset: 'ts-jest/presets/default-esm',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.test.json', diagnostics: false }]
  }
}

export default {
  // One limit for every test (jest reads it from the top level, not per project). The end-to-end
  // tests run the bundle against simulators that wait and retry in real time, on a 2-core machine.
  testTimeout: 60_000,
  // The end-to-end files spend most of their time waiting on the simulators' real-time jobs:
  // two at once halve the suite on a 2-core machine (jest would run one), and pass alike.
  maxWorkers: 2,
  // Printed when jest runs with --coverage, as `npm run test:unit` does: the unit tests exercise
  // src/ in-process. (The e2e tests run the bundle in a child process, which jest cannot measure.)
  // text-summary prints no "Tests:" line, so .ci/run's count of jest's results is unaffected.
  collectCoverageFrom: ['src/**/*.ts'],
  coverageReporters: ['text-summary'],
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'] }
  ]
}
