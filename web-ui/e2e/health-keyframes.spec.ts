// An encoder misconfigured the way IVS warns about: ffmpeg pushes RTMP to
// the stack's ingest with a keyframe every 10 s (IVS asks for 2 s). The
// media plane measures the interval (KeyframeInterval), the backend
// diagnoses it, and stream health shows the diagnosis with how to fix it
// and flags the value in the encoder configuration.

import type { ChildProcess } from 'node:child_process';
import { accessToken, api, expect, pushTestPattern, registerAndSignIn, screenshots, stack, test, uniqueName } from './stack';

test('stream health diagnoses a 10 s keyframe interval pushed by ffmpeg', async ({ page }) => {
  test.skip(!stack.rtmp, 'this build of the stack has no RTMP ingest');
  test.setTimeout(180_000);
  const name = uniqueName('kf');
  await registerAndSignIn(page, name, `${name}@example.com`);
  const me = await api<{ streamKeyValue: string }>(await accessToken(page), 'GET', '/channel');
  expect(me.status).toBe(200);

  let ffmpeg: ChildProcess | null = null;
  let stderr = '';
  try {
    // 30 fps with -g 300: a keyframe every 10 s, and no scene-cut keyframes in between.
    ffmpeg = pushTestPattern(me.body.streamKeyValue, ['-g', '300', '-keyint_min', '300', '-sc_threshold', '0', '-b:v', '800k'], (t) => { stderr += t; });

    await page.goto(`${stack.web}/health`);
    await expect(page).toHaveURL(/\/health\/[^/]+$/, { timeout: 30_000 });
    await expect(page.locator('.session-head .pill-live')).toBeVisible();

    // The diagnosis the backend computed from the measured interval (two keyframes: ≥ 10 s in).
    const diagnosis = page.locator('.diagnosis').filter({ hasText: 'Keyframe interval is too long' });
    await expect(diagnosis, `ffmpeg: ${stderr}`).toBeVisible({ timeout: 60_000 });
    await expect(diagnosis).toContainText(/every (9\.\d|10\.\d) s/);
    await diagnosis.getByText('Learn how to fix it').click();
    await expect(diagnosis).toContainText('set Keyframe Interval to 2 s');

    // The encoder panel flags the value, with what to change.
    const row = page.getByRole('region', { name: 'Encoder configuration' }).locator('.encoder-row').filter({ hasText: 'Keyframe interval' });
    await expect(row).toHaveClass(/encoder-warning/);
    await expect(row.locator('.encoder-value')).toHaveText(/^(9\.\d+|10(\.\d+)?) s$/);
    await expect(row.getByLabel('Not recommended')).toBeVisible();
    await expect(row).toContainText('Keyframe Interval to 2 s');
    // …and the chart shows it too.
    await expect.poll(async () => Number(await page.locator('[aria-label="Keyframe interval chart"] .chart-box').getAttribute('data-values'))).toBeGreaterThan(0);
    await screenshots(page, 'health-keyframe-diagnosis');
  } finally {
    ffmpeg?.kill('SIGTERM');
  }
});
