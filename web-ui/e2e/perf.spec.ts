// First contentful paint of the directory, cold cache, in headless
// Chromium against the local stack (docs/performance.md). Prints the runs
// and writes e2e/artifacts/perf.json. It asserts a generous bound so a
// regression that makes the page blank for seconds fails the suite.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, stack, test } from './stack';

test('directory first contentful paint (cold cache)', async ({ browser }) => {
  const runs: { fcp: number; heading: number; transferKB: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${stack.web}/`);
    await expect(page.getByRole('heading', { name: 'Live streams', exact: true })).toBeVisible();
    const m = await page.evaluate(() => {
      const fcp = performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1;
      const bytes = (performance.getEntriesByType('resource') as PerformanceResourceTiming[])
        .concat(performance.getEntriesByType('navigation') as PerformanceResourceTiming[])
        .reduce((n, e) => n + (e.transferSize || 0), 0);
      return { fcp, heading: performance.now(), bytes };
    });
    runs.push({ fcp: Math.round(m.fcp), heading: Math.round(m.heading), transferKB: Math.round(m.bytes / 1024) });
    await ctx.close();
  }
  const sorted = [...runs].sort((a, b) => a.fcp - b.fcp);
  const median = sorted[Math.floor(sorted.length / 2)];
  const out = { runs, medianFcpMs: median.fcp, medianTransferKB: median.transferKB };
  console.log(`directory FCP (ms) runs: ${runs.map((r) => r.fcp).join(', ')}; median ${median.fcp} ms; transferred ${median.transferKB} KB`);
  const dir = resolve(import.meta.dirname, 'artifacts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'perf.json'), JSON.stringify(out, null, 2));
  expect(median.fcp).toBeGreaterThan(0);
  expect(median.fcp).toBeLessThan(5000);
});
