// Going live from the browser with the official web broadcast SDK to the
// offline media plane's WebRTC ingest (fake camera and microphone), ending
// with confirmation, and the session's health afterwards.

import { expect, registerAndSignIn, screenshots, stack, test, uniqueName } from './stack';

test('go live from the browser, end the stream, review its health', async ({ browser }) => {
  test.setTimeout(240_000);
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  const name = uniqueName('bcast');
  await registerAndSignIn(page, name, `${name}@example.com`);
  await page.goto(`${stack.web}/manager`);
  const goLive = page.getByRole('button', { name: 'Go live', exact: true });
  await expect(goLive).toBeEnabled({ timeout: 30_000 });
  await goLive.click();
  await expect(page.getByTestId('connection-state')).toHaveText('Connected', { timeout: 15_000 });
  await expect(page.getByTestId('outgoing-bitrate')).toHaveText(/\d+ (kbps|Mbps)/, { timeout: 15_000 });
  await expect(page.locator('.status-bar .pill-live')).toBeVisible({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Mute', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Unmute', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Camera off', exact: true }).click();
  await expect(page.getByRole('button', { name: 'Camera on', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Camera on', exact: true }).click();
  await screenshots(page, 'manager-broadcasting');
  await page.getByRole('button', { name: 'End stream', exact: true }).click();
  await page.getByRole('dialog', { name: 'End stream' }).getByRole('button', { name: 'End stream' }).click();
  await expect(goLive).toBeVisible();
  await expect(page.locator('.status-bar .pill-idle')).toBeVisible({ timeout: 30_000 });

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
