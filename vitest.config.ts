import { defineConfig } from 'vitest/config'

// One runner for every package. Database-backed suites share real servers, so files run one at a time.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/ui/src/**/*.test.tsx', 'e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
})
