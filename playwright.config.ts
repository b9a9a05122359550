import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/helpers/chromium';
import { E2E_PORT } from './test/e2e/paths';

/**
 * End-to-end tests: the built renderer in Debian's Chromium, against the
 * browser host on loopback with a fresh demo database (test/e2e/server.ts).
 * Files run in name order: the read-only walkthrough first, then the tests
 * that change access.
 */
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '.cache/playwright.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${E2E_PORT}`,
    viewport: { width: 1400, height: 860 },
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
  webServer: {
    // The suite runs against the renderer as built from this checkout.
    command: 'npx electron-vite build && npx tsx test/e2e/server.ts',
    url: `http://127.0.0.1:${E2E_PORT}/`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    // Let the host stop Kamailio and rtpengine (a SIGKILL of the host would leave them running).
    gracefulShutdown: { signal: 'SIGTERM', timeout: 10_000 },
  },
});
