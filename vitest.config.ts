import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'simulators/**/*.test.ts', 'test/**/*.test.ts'],
    // Two cores here and in CI: forks keep native modules (better-sqlite3) isolated per file.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
