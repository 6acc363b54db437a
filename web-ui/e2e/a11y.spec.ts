// Every page a person reaches, checked by axe-core against WCAG 2.2 A/AA and
// its best practices, in the states people see them: signed out, signed in,
// an empty stream history, a live channel, an open overlay dialog.

import type { ChildProcess } from 'node:child_process';
import { expectAccessible } from './axe';
import { accessToken, api, expect, pushTestPattern, registerAndSignIn, simulate, stack, test, uniqueName } from './stack';

test('the pages a visitor sees are accessible', async ({ page }) => {
  await page.goto(`${stack.web}/`);
  await expect(page.getByRole('heading', { name: 'Live streams', exact: true })).toBeVisible();
  await expectAccessible(page, 'the directory');

  await page.goto(`${stack.web}/login`);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await expectAccessible(page, 'log in');
  // The form's own error states too.
  await page.getByRole('button', { name: 'Log in' }).click();
  await expectAccessible(page, 'log in with errors');

  await page.goto(`${stack.web}/register`);
  await expect(page.getByRole('button', { name: 'Create account' })).toBeVisible();
  await expectAccessible(page, 'register');

  await page.goto(`${stack.web}/reset`);
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await expectAccessible(page, 'password reset');

  await page.goto(`${stack.web}/nobody_here`);
  await expect(page.getByRole('heading', { name: 'This page is unavailable' })).toBeVisible();
  await expectAccessible(page, 'an unknown channel');

  // The phone layout (navigation in a menu, stacked panels).
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${stack.web}/`);
  await expect(page.getByRole('heading', { name: 'Live streams', exact: true })).toBeVisible();
  await expectAccessible(page, 'the directory on a phone');
  await page.goto(`${stack.web}/login`);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await expectAccessible(page, 'log in on a phone');
});

test('the pages a streamer uses are accessible', async ({ browser }) => {
  test.setTimeout(180_000);
  const context = await browser.newContext({ permissions: ['camera', 'microphone'] });
  const page = await context.newPage();
  const name = uniqueName('a11y');
  await registerAndSignIn(page, name, `${name}@example.com`);
  await expectAccessible(page, 'the directory, signed in');

  await page.getByRole('button', { name: 'Profile menu' }).click();
  await expect(page.getByRole('menu')).toBeVisible();
  await expectAccessible(page, 'the open profile menu');
  await page.keyboard.press('Escape');

  await page.goto(`${stack.web}/settings`);
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible();
  await expectAccessible(page, 'settings');
  await page.getByRole('button', { name: 'Delete account' }).click();
  await expect(page.getByRole('dialog', { name: 'Delete account' })).toBeVisible();
  await expectAccessible(page, 'the account deletion dialog');
  await page.getByRole('dialog', { name: 'Delete account' }).getByRole('button', { name: 'Cancel' }).click();

  await page.goto(`${stack.web}/following`);
  await expect(page.getByRole('heading', { name: 'No channels followed' })).toBeVisible();
  await expectAccessible(page, 'following');

  await page.goto(`${stack.web}/health`);
  await expect(page.getByText('To monitor stream health you must first start a live stream.')).toBeVisible();
  await expectAccessible(page, 'stream health before the first stream');

  await page.goto(`${stack.web}/manager`);
  await expect(page.getByRole('heading', { name: 'Stream manager', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Go live', exact: true })).toBeEnabled({ timeout: 30_000 });
  await expectAccessible(page, 'the stream manager');
  await page.getByRole('button', { name: 'Quiz', exact: true }).click();
  const quiz = page.getByRole('dialog', { name: 'Host a quiz' });
  await quiz.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(quiz.getByText('This field is required.').first()).toBeVisible();
  await expectAccessible(page, 'the quiz dialog with its errors');
  await quiz.getByRole('button', { name: 'Cancel' }).click();

  // Live (the stack's stream simulation): the channel page with its player
  // and chat, the manager's status bar and a session in stream health.
  await simulate(name, 'start');
  await page.goto(`${stack.web}/${name}`);
  await expect(page.getByRole('heading', { name, exact: true }).first()).toBeVisible();
  await expectAccessible(page, 'a live channel');

  await page.goto(`${stack.web}/health`);
  await expect(page.getByRole('button', { name: 'Load more sessions' }).or(page.locator('.uplot').first())).toBeVisible({ timeout: 30_000 });
  await expectAccessible(page, 'stream health of a live session');
  await simulate(name, 'stop');

  await page.goto(`${stack.web}/stage`);
  await expect(page.getByRole('heading', { name: 'My stage' })).toBeVisible();
  await expectAccessible(page, 'the stage host page');

  // The manager on a phone: "Manage stream" and "Go live" tabs.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${stack.web}/manager`);
  await expect(page.getByRole('tab', { name: 'Manage stream' })).toBeVisible();
  await expectAccessible(page, 'the stream manager on a phone');
  await page.getByRole('tab', { name: 'Go live' }).click();
  await expect(page.getByRole('button', { name: 'Go live', exact: true })).toBeVisible();
  await expectAccessible(page, "the stream manager's Go live tab on a phone");
  await context.close();
});

test('a live channel with a quiz is accessible to its viewers', async ({ browser }) => {
  test.skip(!stack.rtmp, 'this stack has no RTMP ingest: overlays reach viewers only in a real stream');
  test.setTimeout(180_000);
  const streamer = await browser.newContext();
  const sp = await streamer.newPage();
  const name = uniqueName('a11q');
  await registerAndSignIn(sp, name, `${name}@example.com`);
  const token = await accessToken(sp);
  const me = await api<{ streamKeyValue: string }>(token, 'GET', '/channel');
  expect(me.status).toBe(200);
  let ffmpeg: ChildProcess | undefined;
  try {
    ffmpeg = pushTestPattern(me.body.streamKeyValue);

    // A visitor, signed out, watching.
    const viewer = await browser.newContext();
    const page = await viewer.newPage();
    await page.goto(`${stack.web}/${name}`);
    const video = page.getByTestId('video');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 45_000 }).toBeGreaterThan(1);
    await expectAccessible(page, 'a playing channel, signed out');

    const sent = await api(token, 'POST', '/channel/actions/send', {
      name: 'quiz',
      data: { question: 'Which planet is closest to the sun?', answers: ['Venus', 'Mercury', 'Mars'], correctAnswerIndex: 1, duration: 30 },
    });
    expect(sent.status).toBe(200);
    const quiz = page.getByRole('group', { name: 'Quiz' });
    await expect(quiz).toBeVisible({ timeout: 20_000 });
    await expectAccessible(page, 'a quiz on the channel');
    await quiz.getByRole('button', { name: 'Mercury' }).click();
    await expect(quiz.getByRole('status')).toHaveText('Correct!');
    await expectAccessible(page, 'an answered quiz');
    await viewer.close();
  } finally {
    ffmpeg?.kill('SIGINT');
    await streamer.close();
  }
});
