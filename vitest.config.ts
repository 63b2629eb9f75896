import { defineConfig } from 'vitest/config'

// Four projects, one per kind of test (shared/STYLE.md): unit and sim are pure and fast;
// integration starts real agents on 127.0.0.1; e2e needs a Docker engine and Chromium.
export default defineConfig({
  test: {
    disableConsoleIntercept: true,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 } },
      { extends: true, test: { name: 'sim', include: ['test/sim/**/*.test.ts'], testTimeout: 600_000 } },
      {
        extends: true,
        test: {
          name: 'integration', include: ['test/integration/**/*.test.ts'],
          testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e', include: ['test/e2e/**/*.test.ts'],
          testTimeout: 600_000, hookTimeout: 600_000, fileParallelism: false,
          // Browser views refresh on blocking queries or 1–2 s polls; a 1 s expect.poll
          // default is shorter than one refresh on a loaded machine.
          expect: { poll: { timeout: 8_000 } },
        },
      },
    ],
  },
})
