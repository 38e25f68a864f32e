import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', '.lab/**', 'test-output/**'],
    // One Samba AD lab per run, started on the first labEnv() call (test/helpers/lab-env.ts).
    globalSetup: ['test/global-setup.ts'],
    // Integration tests talk to real servers (Samba, PostgreSQL, Chromium) on a shared 2-core box.
    testTimeout: 30_000,
    // beforeAll may start the lab (≈3 s idle, longer under load).
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
