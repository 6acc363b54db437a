import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// Benchmarks in the browser against the real offline stack (make
// bench-latency): the e2e setup, browser and flags, but only e2e/*.bench.ts,
// one at a time (they measure), never retried, not part of make test.
export default defineConfig({
  ...base,
  testMatch: /\.bench\.ts$/,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  projects: [{ name: 'bench', use: base.projects![0].use }],
});
