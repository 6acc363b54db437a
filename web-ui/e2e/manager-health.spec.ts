// The streamer's side: the stream manager (overlays with presets stored on
// the server, the status bar, moderation) and stream health (navigator,
// charts, events with diagnoses, encoder configuration), against the real
// offline stack. These drive the channel through the stack's stream
// simulation (docs/local.md), so they run without the media plane; the
// browser broadcast is in broadcast.spec.ts.

import { accessToken, api, expect, registerAndSignIn, screenshots, simulate, stack, test, uniqueName } from './stack';

test('stream manager and stream health against a simulated stream', async ({ browser }) => {
  test.setTimeout(240_000);
  const context = await browser.newContext({ permissions: ['camera', 'microphone', 'clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  const name = uniqueName('mgr');
  await registerAndSignIn(page, name, `${name}@example.com`);

  // Stream health before the first stream: empty state and the way to Settings.
  await page.goto(`${stack.web}/health`);
  await expect(page.getByRole('heading', { name: 'Stream health', exact: true })).toBeVisible();
  await expect(page.getByText('To monitor stream health you must first start a live stream.')).toBeVisible();
  await expect(page.getByText('No stream sessions').first()).toBeVisible();
  await screenshots(page, 'health-empty');
  await page.getByRole('link', { name: 'Settings', exact: true }).last().click();
  await expect(page).toHaveURL(/\/settings$/);

  // The manager while offline.
  await page.goto(`${stack.web}/manager`);
  await expect(page.getByRole('heading', { name: 'Stream manager', exact: true })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Camera' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Microphone' })).toBeVisible();
  for (const b of ['Quiz', 'Product', 'Notice', 'Celebration']) await expect(page.getByRole('button', { name: b, exact: true })).toBeVisible();
  await expect(page.getByText('Moderating')).toBeVisible();

  // Quiz form: inline validation before anything is sent.
  await page.getByRole('button', { name: 'Quiz', exact: true }).click();
  const quiz = page.getByRole('dialog', { name: 'Host a quiz' });
  await quiz.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(quiz.getByText('This field is required.').first()).toBeVisible();
  await quiz.getByLabel('Question').fill('Which planet is closest to the sun?');
  await quiz.getByLabel('Answer 1', { exact: true }).fill('Venus');
  await quiz.getByLabel('Answer 2', { exact: true }).fill('venus ');
  await quiz.getByLabel('Answer 3', { exact: true }).fill('Mars');
  await expect(quiz.getByText('Enter a unique option.')).toBeVisible();
  await quiz.getByLabel('Answer 2', { exact: true }).fill('Mercury');
  await quiz.getByRole('radio', { name: 'Answer 2 is correct' }).check();
  await quiz.getByLabel(/Duration/).fill('12');
  // Sending while offline explains why it cannot work.
  await quiz.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(quiz.getByRole('alert')).toContainText('Overlays need a live stream');
  // The preset is stored on the server.
  await quiz.getByRole('button', { name: 'Save preset' }).click();
  await expect(quiz.getByText('Preset saved', { exact: true })).toBeVisible();
  await screenshots(page, 'manager-quiz-dialog');
  await quiz.getByRole('button', { name: 'Cancel' }).click();
  const token = await accessToken(page);
  const presets = await api<Record<string, { question: string; answers: string[]; duration: number }>>(token, 'GET', '/channel/actions/presets');
  expect(presets.body.quiz).toEqual({ question: 'Which planet is closest to the sun?', answers: ['Venus', 'Mercury', 'Mars'], correctAnswerIndex: 1, duration: 12 });

  // A notice preset, then deleted again; the quiz preset stays.
  await page.getByRole('button', { name: 'Notice', exact: true }).click();
  const notice = page.getByRole('dialog', { name: 'Show a notice' });
  await notice.getByLabel('Title').fill('Giveaway');
  await notice.getByLabel('Message').fill('Stick around for the giveaway at 9.');
  await notice.getByRole('button', { name: 'Save preset' }).click();
  await expect(notice.getByText('Preset saved', { exact: true })).toBeVisible();
  await notice.getByRole('button', { name: 'Delete preset' }).click();
  await expect(notice.getByText('No preset saved')).toBeVisible();
  await notice.getByRole('button', { name: 'Cancel' }).click();
  expect(Object.keys((await api<object>(token, 'GET', '/channel/actions/presets')).body)).toEqual(['quiz']);
  await screenshots(page, 'manager-offline');

  // Live (the simulation stands in for an encoder): the status bar follows.
  await simulate(name, 'start', { profile: { KeyframeInterval: 4, PeakViewers: 12 } });
  await expect(page.locator('.status-bar .pill-live')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByText('Your channel is already live', { exact: false })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Go live' })).toBeDisabled();

  // The quiz from its preset: loaded into the form, sent, shown with a countdown, stopped.
  await page.getByRole('button', { name: 'Quiz', exact: true }).click();
  await expect(quiz.getByLabel('Question')).toHaveValue('Which planet is closest to the sun?');
  await quiz.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(quiz).toBeHidden();
  const active = page.getByRole('status', { name: 'Active overlay' });
  await expect(active).toContainText('Host a quiz');
  await expect(active).toContainText(/\d+ s left/);
  await active.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(active).toBeHidden();
  expect((await api<object>(token, 'GET', '/channel/actions/active')).body).toEqual({});

  // The server's own refusal is shown too: a product whose image is not a URL the server accepts.
  await page.getByRole('button', { name: 'Product', exact: true }).click();
  const product = page.getByRole('dialog', { name: 'Feature a product' });
  await product.getByLabel('Title').fill('Sneakers');
  await product.getByLabel('Price').fill('$250');
  await product.getByLabel('Image URL').fill('not a url');
  await product.getByLabel('Description').fill('Fast.');
  await product.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(product.getByText('Enter a valid URL.')).toBeVisible();
  await product.getByLabel('Image URL').fill('https://example.com/sneakers.png');
  await product.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(active).toContainText('Feature a product');
  await expect(active).toContainText('Shown until you stop it');
  await screenshots(page, 'manager-live');
  await page.getByRole('button', { name: 'Celebration', exact: true }).click();
  await page.getByRole('dialog', { name: 'Trigger a celebration' }).getByRole('button', { name: 'Send', exact: true }).click();
  await expect(active).toContainText('Trigger a celebration');

  // Trouble to diagnose: starvation and a limit breach.
  await simulate(name, 'starve', { seconds: 6 });
  await simulate(name, 'breach', { limit: 'Ingest Bitrate' });

  // Health of the live session: in the navigator under Today, the URL follows it.
  const health = await context.newPage();
  await health.goto(`${stack.web}/health`);
  await expect(health).toHaveURL(/\/health\/[^/]+$/);
  await expect(health.getByRole('heading', { name: 'Stream health', exact: true })).toBeVisible();
  const nav = health.getByRole('navigation', { name: 'Stream sessions' });
  await expect(nav.getByText('Today')).toBeVisible();
  await expect(nav.locator('a[aria-current="page"]')).toContainText('now');
  // Charts fill as metrics arrive (the newest 30 s are held back while live).
  await expect(health.locator('[aria-label="Video bitrate chart"] .chart-box')).toHaveAttribute('data-points', /^[1-9]\d*$/, { timeout: 90_000 });
  await expect(health.locator('[aria-label="Frame rate chart"] .chart-box')).toHaveAttribute('data-points', /^[1-9]\d*$/);
  for (const z of ['All', '1 hr', '30 min', '5 min']) await expect(health.getByRole('button', { name: z, exact: true })).toBeVisible();
  await health.getByRole('button', { name: '5 min', exact: true }).click();
  await expect(health.getByRole('button', { name: '5 min', exact: true })).toHaveAttribute('aria-pressed', 'true');
  // Diagnoses next to their events, with how to fix them.
  const events = health.getByRole('list', { name: 'Events' });
  await expect(events).toContainText('Session Created');
  await expect(events).toContainText('Ingest Bitrate');
  await expect(health.getByText('Ingest Bitrate limit exceeded', { exact: true })).toBeVisible();
  await expect(health.getByText('Learn how to fix it').first()).toBeVisible();
  // Encoder configuration, checked.
  await expect(health.getByRole('heading', { name: 'Encoder configuration' })).toBeVisible();
  await expect(health.getByText('1280 × 720')).toBeVisible();
  await expect(health.getByRole('button', { name: 'Copy Resolution' })).toBeVisible();
  await screenshots(health, 'health-live');

  // The stream ends while health watches it: the notice offers a reload.
  await simulate(name, 'stop');
  await expect(health.getByRole('dialog', { name: 'Live stream ended' })).toBeVisible({ timeout: 30_000 });
  await health.getByRole('button', { name: 'Reload' }).click();
  await expect(events).toContainText('Session Ended', { timeout: 15_000 });
  await expect(events.locator('li').first()).toContainText('Session Created');
  await screenshots(health, 'health-ended');

  // The manager goes back to offline and forgets the overlay.
  await expect(page.locator('.status-bar .pill-idle')).toBeVisible({ timeout: 30_000 });
  await expect(active).toBeHidden();
  await context.close();
});
