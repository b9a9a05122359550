import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests: the built renderer in Debian's Chromium, against the
 * browser host on loopback with a fresh demo database (test/e2e/server.ts).
 */
export default defineConfig({
  testDir: 'test/e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '.cache/playwright.json' }]],
  globalSetup: './test/e2e/global-setup.ts',
  use: {
    baseURL: 'http://127.0.0.1:5199',
    viewport: { width: 1400, height: 860 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
      ],
    },
  },
  webServer: {
    command: 'npx tsx test/e2e/server.ts',
    url: 'http://127.0.0.1:5199/',
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
  },
});
