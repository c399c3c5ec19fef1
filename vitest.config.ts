import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/**/*.test.ts', 'addin/**/*.test.{ts,tsx}', 'extension/**/*.test.ts', 'models/**/*.test.ts', 'test/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    setupFiles: ['test/fast-check-seed.ts'],
  },
});
