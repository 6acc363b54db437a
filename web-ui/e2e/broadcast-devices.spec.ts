// What a streamer does while live from the browser besides talking:
// switching the camera and the microphone (swapped in place, the broadcast
// goes on), then sharing the screen with the camera as a top-right
// picture-in-picture (switchable), and back to the camera. The preview is
// what the SDK composes and sends, so its pixels are checked.

import type { Locator } from '@playwright/test';
import config from '../playwright.config';
import { expect, goLiveFromBrowser, registerAndSignIn, stack, test, uniqueName, viewportShot } from './stack';

// Two fake cameras, so that the camera can be switched while live (Chromium's
// fake capture has one by default; its fake microphones are three). The fake
// UI also answers getDisplayMedia with a fake 1280×720 screen (with audio),
// headless included.
const launch = config.use?.launchOptions ?? {};
test.use({
  launchOptions: {
    ...launch,
    args: [...(launch.args ?? []).filter((a) => !a.startsWith('--use-fake-device-for-media-stream')), '--use-fake-device-for-media-stream=device-count=2'],
  },
});

type RGB = { r: number; g: number; b: number };

/** The average colour of a region of the preview (fractions of its box), read from a capture of the element. */
async function previewColor(preview: Locator, region: { x: number; y: number; w: number; h: number }): Promise<RGB> {
  const png = (await preview.screenshot()).toString('base64');
  return preview.page().evaluate(async ({ png, region }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${png}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext('2d')!;
    g.drawImage(img, 0, 0);
    const x = Math.round(region.x * c.width), y = Math.round(region.y * c.height);
    const d = g.getImageData(x, y, Math.max(1, Math.round(region.w * c.width)), Math.max(1, Math.round(region.h * c.height))).data;
    const sum = [0, 0, 0];
    for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) sum[k] += d[i + k];
    const n = d.length / 4;
    return { r: sum[0] / n, g: sum[1] / n, b: sum[2] / n };
  }, { png, region });
}

/** Chromium's first fake camera draws on plain green: a region showing it is green-dominated. */
const firstCamera = (c: RGB) => c.g > 80 && c.g > c.r + 50 && c.g > c.b + 50;
/** The fake screen (getDisplayMedia) is drawn like the first camera, green. */
const screenLike = firstCamera;
/** The second fake camera draws in grey on black: told apart from the screen in the corner. */
const secondCamera = (c: RGB) => Math.max(Math.abs(c.r - c.g), Math.abs(c.g - c.b), Math.abs(c.r - c.b)) < 12;

// The camera's corner while sharing (streamConfig.pipComposition: a quarter
// of the canvas, top right, 20 px in), sampled inside its edges, and a patch
// of the screen away from it.
// Each element capture is slow on a loaded 2-core machine: the polls get room.
const SETTLE = 30_000;
const CORNER = { x: 0.77, y: 0.08, w: 0.16, h: 0.16 };
const SCREEN = { x: 0.15, y: 0.45, w: 0.3, h: 0.3 };

test('while live from the browser: switch camera and microphone, share the screen with the camera in a corner', async ({ browser }) => {
  test.skip(!stack.rtmp, 'this build of the stack has no media plane (no WebRTC ingest to go live to)');
  test.setTimeout(300_000);
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  try {
    const page = await context.newPage();
    const name = uniqueName('devs');
    await registerAndSignIn(page, name, `${name}@example.com`);
    await page.goto(`${stack.web}/manager`);
    await goLiveFromBrowser(page);
    const preview = page.getByLabel('Broadcast preview');
    await expect.poll(async () => firstCamera(await previewColor(preview, SCREEN)), { timeout: SETTLE, message: 'the first camera fills the preview' }).toBe(true);

    // Another camera and microphone while live: swapped in place, the broadcast goes on.
    const camera = page.getByRole('combobox', { name: 'Camera' });
    const mic = page.getByRole('combobox', { name: 'Microphone' });
    await expect(camera.locator('option')).toHaveCount(2);
    const second = (await camera.locator('option').nth(1).getAttribute('value'))!;
    await camera.selectOption(second);
    await mic.selectOption({ label: 'Fake Audio Input 1' });
    await expect(camera).toHaveValue(second);
    await expect.poll(async () => secondCamera(await previewColor(preview, SCREEN)), { timeout: SETTLE, message: 'the second camera fills the preview' }).toBe(true);
    await expect(page.locator('.broadcast').getByRole('alert')).toHaveCount(0); // no "Failed to change camera / microphone"
    const outgoing = page.getByTestId('outgoing-bitrate');
    const before = await outgoing.textContent();
    await expect.poll(() => outgoing.textContent(), { timeout: SETTLE, message: 'the outgoing bitrate keeps being measured' }).not.toBe(before);
    await expect(outgoing).toHaveText(/^([1-9]\d* kbps|\d+\.\d+ Mbps)$/);
    await expect(page.getByTestId('connection-state')).toHaveText('Connected');
    await expect(page.locator('.status-bar .pill-live')).toBeVisible();

    // Share the screen: the screen fills the frame, the camera goes to the top-right corner.
    await page.getByRole('button', { name: 'Share screen', exact: true }).click();
    const stopSharing = page.getByRole('button', { name: 'Stop sharing', exact: true });
    await expect(stopSharing).toBeVisible();
    await expect.poll(async () => secondCamera(await previewColor(preview, CORNER)), { timeout: SETTLE, message: 'the camera in the corner' }).toBe(true);
    await expect.poll(async () => screenLike(await previewColor(preview, SCREEN)), { timeout: SETTLE, message: 'the screen elsewhere' }).toBe(true);
    await viewportShot(page, 'manager-screen-share');
    // Without the camera on the screen share the corner shows the screen; back on, the camera returns.
    const showCamera = page.getByRole('checkbox', { name: 'Show camera on screen share' });
    await showCamera.uncheck();
    await expect.poll(async () => screenLike(await previewColor(preview, CORNER)), { timeout: SETTLE, message: 'no camera on the share' }).toBe(true);
    await showCamera.check();
    await expect.poll(async () => secondCamera(await previewColor(preview, CORNER)), { timeout: SETTLE, message: 'the camera back in the corner' }).toBe(true);
    await stopSharing.click();
    await expect(page.getByRole('button', { name: 'Share screen', exact: true })).toBeVisible();
    await expect.poll(async () => secondCamera(await previewColor(preview, SCREEN)), { timeout: SETTLE, message: 'the camera fills the frame again' }).toBe(true);
    await expect(page.getByTestId('connection-state')).toHaveText('Connected');

    await page.getByRole('button', { name: 'End stream', exact: true }).click();
    await page.getByRole('dialog', { name: 'End stream' }).getByRole('button', { name: 'End stream' }).click();
    await expect(page.getByRole('button', { name: 'Go live', exact: true })).toBeVisible();

    // One stream throughout: the switches and the share did not restart it.
    await page.goto(`${stack.web}/health`);
    await expect(page).toHaveURL(/\/health\/[^/]+$/);
    const events = page.getByRole('list', { name: 'Events' });
    await expect(events).toContainText('Session Ended', { timeout: 30_000 });
    await expect(events.getByText('Stream Start', { exact: true })).toHaveCount(1);
    await expect(page.getByRole('navigation', { name: 'Stream sessions' }).getByRole('link')).toHaveCount(1);
  } finally {
    await context.close();
  }
});
