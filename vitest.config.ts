import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['reflect-metadata'],
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: one file at a time on a 2-core CI
    // machine. Most of a file's time is spent waiting on the servers it starts, so two run at
    // once; test/support/free-port.ts keeps the two from handing the same port to children.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { NODE_ENV: 'test' },
  },
});
