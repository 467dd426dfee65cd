import { defineConfig } from '@playwright/test';

// SEQLENS_E2E_PORT lets two checkouts run their suites side by side.
const PORT = Number(process.env.SEQLENS_E2E_PORT ?? 4173);
const ORIGIN = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'e2e',
  workers: 1,
  timeout: 120_000,
  reporter: 'list',
  forbidOnly: !!process.env.CI,
  // The 2-core CI machine is sometimes slow enough to time a UI wait out; one retry, reported as flaky.
  retries: process.env.CI ? 1 : 0,
  use: {
    baseURL: ORIGIN,
    browserName: 'chromium',
    trace: 'retain-on-failure',
    launchOptions: {
      // The system Chromium from apt; `playwright install` would download one from the network.
      executablePath: '/usr/bin/chromium',
      args: [
        '--enable-unsafe-webgpu',
        // Any host name other than the local server fails to resolve: the app must work offline.
        '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  webServer: {
    // The preview serves the build that `npm run build` wrote (SEQLENS_OUT_DIR, else dist/; see vite.config.ts).
    command: `npm run build && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: ORIGIN,
    reuseExistingServer: !process.env.CI,
    timeout: 180_000,
  },
});
