/** @type {import('jest').Config} */
export default {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "es6" } },
    ],
  },
  extensionsToTreatAsEsm: [".ts"],
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  // Every test file starts its own redis-server and sandbox. Three workers on our two cores: the end-to-end
  // files spend much of their time waiting on agents, webhooks and polls, so a third keeps the cores busy
  // (measured: docs/benchmarks.md, "The test suite").
  maxWorkers: 3,
  // Watchman, where installed, has hung runs here; plain file crawling is fast enough for this tree.
  watchman: false,
  testTimeout: 30000,
};
