// Going live from the browser with the official web broadcast SDK to the
// offline media plane's WebRTC ingest (fake camera and microphone); a viewer
// plays the broadcast with hls.js on the channel page and sees an overlay
// sent while live arrive as a cue; the streamer ends with confirmation and
// reviews the session's health.

import { accessToken, api, expect, goLiveFromBrowser, registerAndSignIn, screenshots, stack, test, uniqueName } from './stack';

test('go live from the browser, a viewer watches with an overlay, end the stream, review its health', async ({ browser }) => {
  test.setTimeout(240_000);
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  const name = uniqueName('bcast');
  await registerAndSignIn(page, name, `${name}@example.com`);
  await page.goto(`${stack.web}/manager`);
  await goLiveFromBrowser(page);

  // A viewer (signed out, another context) plays it: hls.js on the LL-HLS
  // playbackUrl, decoding frames and advancing.
  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await viewer.goto(`${stack.web}/${name}`);
  await expect(viewer.getByText('Stream offline')).toBeHidden({ timeout: 30_000 });
  const video = viewer.getByTestId('video');
  const played = () => video.evaluate((v: HTMLVideoElement) => ({ time: v.currentTime, frames: v.getVideoPlaybackQuality().totalVideoFrames, width: v.videoWidth }));
  await expect.poll(async () => (await played()).time, { timeout: 30_000 }).toBeGreaterThan(0.5);
  const before = await played();
  await expect.poll(async () => (await played()).time, { timeout: 15_000 }).toBeGreaterThan(before.time + 1);
  await expect.poll(async () => (await played()).frames).toBeGreaterThan(before.frames);
  expect(before.frames).toBeGreaterThan(0);
  expect(before.width).toBeGreaterThan(0);

  // An overlay sent through the API while live reaches the viewer as a
  // timed-metadata cue in the media (emsg + ID3 PRIV), shown on the page.
  const sent = await api(await accessToken(page), 'POST', '/channel/actions/send',
    { name: 'notice', data: { title: 'Browser broadcast', message: 'Cue through the media plane', duration: 8 } });
  expect(sent.status).toBe(200);
  await expect(viewer.getByRole('status', { name: 'Notice' })).toContainText('Browser broadcast', { timeout: 20_000 });
  await screenshots(viewer, 'channel-browser-broadcast-overlay');
  await page.getByRole('button', { name: 'Mute', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Unmute', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Camera off', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Camera on', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Camera on', exact: true }).click();
  await screenshots(page, 'manager-broadcasting');
  await page.getByRole('button', { name: 'End stream', exact: true }).click();
  await page.getByRole('dialog', { name: 'End stream' }).getByRole('button', { name: 'End stream' }).click();
  await expect(page.getByRole('button', { name: 'Go live', exact: true })).toBeVisible();
  await expect(page.locator('.status-bar .pill-idle')).toBeVisible({ timeout: 30_000 });
  await expect(viewer.getByText('Stream offline')).toBeVisible({ timeout: 30_000 });
  await viewerContext.close();

  await page.goto(`${stack.web}/health`);
  await expect(page).toHaveURL(/\/health\/[^/]+$/);
  const events = page.getByRole('list', { name: 'Events' });
  await expect(events).toContainText('Session Created');
  await expect(events).toContainText('Session Ended', { timeout: 30_000 });
  await expect(page.getByRole('heading', { name: 'Encoder configuration' })).toBeVisible();
  await expect(page.getByText(/\d+ × \d+/).first()).toBeVisible();
  await screenshots(page, 'health-browser-session');
  await context.close();
});
