import { defineConfig, devices } from '@playwright/test';

// End-to-end tests against a real offline stack that e2e/global-setup.ts
// builds and starts on free ports (no mocked backend, no mocked Cognito),
// in Debian's Chromium (never a downloaded browser).
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const desktop = { ...devices['Desktop Chrome'], viewport: { width: 1366, height: 860 } };
const broadcasting = /(broadcast|broadcast-devices|streamer-journey)\.spec\.ts/;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-dev-shm-usage',
        '--disable-gpu',
        '--autoplay-policy=no-user-gesture-required',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        // The stage SFU serves the stack's development certificate (local CA).
        '--ignore-certificate-errors',
      ],
    },
  },
  projects: [
    { name: 'chromium', use: desktop, testIgnore: [/stage\.spec\.ts/, broadcasting] },
    // The tests that broadcast from the browser each keep a WebRTC encoder and
    // viewers busy: one at a time (beside the lighter tests), since two at
    // once on a 2-core machine starved the encoders (284×160 at 13 fps) and
    // stalled a viewer past a quiz's 30 s.
    { name: 'broadcast', use: desktop, testMatch: broadcasting, workers: 1 },
    // The stage tests keep three browsers exchanging live WebRTC media: they
    // run alone, after the others, so that their CPU does not slow the other
    // tests (or the performance measurements) on a 2-core machine.
    { name: 'stages', use: desktop, testMatch: /stage\.spec\.ts/, dependencies: ['chromium', 'broadcast'] },
  ],
});
