import { expect, screenshots, stack, test } from './stack';

test('the stack serves the app, its configuration and the directory', async ({ page, request }) => {
  const cfg = await request.get(`${stack.web}/config.json`);
  expect(cfg.ok()).toBeTruthy();
  expect(cfg.headers()['cache-control']).toBe('no-cache');
  expect((await cfg.json()).offline).toBe(true);

  await page.goto(`${stack.web}/`);
  await expect(page.getByRole('heading', { name: 'Live streams', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();
  await screenshots(page, 'directory-signed-out');

  // Unknown deep paths go home (reference §11.3).
  await page.goto(`${stack.web}/a/b/c/d`);
  await expect(page).toHaveURL(`${stack.web}/`);

  await page.goto(`${stack.web}/login`);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await screenshots(page, 'login');
});
