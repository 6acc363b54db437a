import { expect, screenshots, stack, test } from './stack';

test('the stack serves the app, its configuration and the directory', async ({ page, request }) => {
  // The pages below log nothing to the console but the expected 404 of an
  // unknown channel (Chromium logs every failed request).
  const logged: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))) logged.push(`${m.type()}: ${m.text()}`);
  });
  const cfg = await request.get(`${stack.web}/config.json`);
  expect(cfg.ok()).toBeTruthy();
  expect(cfg.headers()['cache-control']).toBe('no-cache');
  expect((await cfg.json()).offline).toBe(true);

  await page.goto(`${stack.web}/`);
  await expect(page.getByRole('heading', { name: 'Live streams', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
  await screenshots(page, 'directory-signed-out');

  // Other sub-paths of a channel go to the channel (reference §11.3), and
  // an unknown channel says so.
  await page.goto(`${stack.web}/nobody_here/whatever/else`);
  await expect(page).toHaveURL(`${stack.web}/nobody_here`);
  await expect(page.getByRole('heading', { name: 'This page is unavailable' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to directory' }).click();
  await expect(page).toHaveURL(`${stack.web}/`);

  // Private pages send visitors to /login.
  await page.goto(`${stack.web}/settings`);
  await expect(page).toHaveURL(`${stack.web}/login`);

  await page.goto(`${stack.web}/login`);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await screenshots(page, 'login');
  expect(logged).toEqual([]);
});
