// The flows of issue 9 end to end, against the real offline stack: two
// people (a streamer and a viewer) in two browser contexts.

import type { ChildProcess } from 'node:child_process';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { accessToken, api, expect, mailLink, PASSWORD, pushTestPattern, registerAndSignIn, screenshots, signIn, simulate, stack, test, uniqueName } from './stack';
import { makePng } from './png';

// Generous: with live video, two browsers and the other suites on 2 cores, steps are slow.
test.describe.configure({ mode: 'serial', timeout: 240_000 });

let streamer: { ctx: BrowserContext; page: Page; name: string; email: string };
let viewer: { ctx: BrowserContext; page: Page; name: string; email: string };
let ffmpeg: ChildProcess | null = null;

async function person(browser: Browser, prefix: string) {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  const page = await ctx.newPage();
  const name = uniqueName(prefix);
  return { ctx, page, name, email: `${name}@example.com` };
}

test.beforeAll(async ({ browser }) => {
  streamer = await person(browser, 'star');
  viewer = await person(browser, 'fan');
});

test.afterAll(async () => {
  ffmpeg?.kill('SIGTERM');
  await streamer?.ctx.close();
  await viewer?.ctx.close();
});

test('register, confirm through the emailed link, sign in: the channel is provisioned', async () => {
  const { page, name, email } = streamer;
  await registerAndSignIn(page, name, email, 'register');
  await expect(page.getByRole('heading', { name: 'Live streams', exact: true })).toBeVisible();
  await screenshots(page, 'directory-signed-in');

  await page.getByRole('button', { name: 'Profile menu' }).click();
  await page.getByRole('menuitem', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Settings', exact: true })).toBeVisible();
  // Provisioned: a stream key and ingest server exist.
  await expect(page.getByLabel('Stream key', { exact: true })).toHaveValue(/^sk_/);
  await expect(page.getByLabel('Ingest server', { exact: true })).toHaveValue(/^rtmps?:\/\//);
  await expect(page.getByLabel('Stream key', { exact: true })).toHaveAttribute('type', 'password');
  await screenshots(page, 'settings');
});

test('colour and uploaded avatar persist after a reload', async () => {
  const { page } = streamer;
  // Sign-up picked a random colour: choose another one.
  const color = (await page.getByRole('radio', { name: 'salmon' }).getAttribute('aria-checked')) === 'true' ? 'turquoise' : 'salmon';
  await page.getByRole('radio', { name: color }).click();
  await expect(page.getByText('Color saved')).toBeVisible();
  await page.getByLabel('Upload avatar').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: makePng() });
  await expect(page.getByText('Avatar saved')).toBeVisible({ timeout: 30_000 });
  await page.reload();
  await expect(page.getByRole('radio', { name: color })).toHaveAttribute('aria-checked', 'true');
  const img = page.getByRole('button', { name: 'Profile menu' }).locator('img');
  await expect(img).toHaveAttribute('src', /avatar/);
  // The image really loads (served by the offline CDN).
  await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(128);
  // A file too large is refused before any upload.
  await page.getByLabel('Upload avatar').setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: Buffer.alloc(1_100_000, 1) });
  await expect(page.getByText('Image exceeded max file size')).toBeVisible();
});

test('a signed-out visitor follows: login, back to the channel, followed automatically', async () => {
  const { page, name, email } = viewer;
  await registerAndSignIn(page, name, email);
  await page.getByRole('button', { name: 'Profile menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await expect(page.getByRole('link', { name: 'Log in' })).toBeVisible();

  await page.goto(`${stack.web}/${streamer.name}`);
  await expect(page.getByRole('heading', { name: streamer.name })).toBeVisible();
  await expect(page.getByText('Stream offline')).toBeVisible();
  await screenshots(page, 'channel-offline');
  await page.getByRole('button', { name: 'Follow' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await signIn(page, name);
  await expect(page).toHaveURL(`${stack.web}/${streamer.name}`);
  await expect(page.getByRole('button', { name: 'Following' })).toBeVisible();

  await page.getByRole('link', { name: 'Following' }).first().click();
  await expect(page.getByRole('heading', { name: 'Following', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: new RegExp(`^${streamer.name}`) })).toBeVisible();
  await screenshots(page, 'following');
});

test('the streamer goes live: listed in the directory, playing, with an overlay that expires', async () => {
  const token = await accessToken(streamer.page);
  const me = await api<{ streamKeyValue: string; ingestServerUrl: string }>(token, 'GET', '/channel');
  expect(me.status).toBe(200);
  if (stack.rtmp) {
    // A real stream: ffmpeg's test pattern into the local RTMP ingest.
    ffmpeg = pushTestPattern(me.body.streamKeyValue);
  } else {
    // This build of the stack has no media plane: its stream simulation
    // makes the channel live (control plane only: no video to play).
    test.info().annotations.push({ type: 'note', description: 'no RTMP ingest in this stack: simulated stream, playback not checked' });
    await simulate(streamer.name, 'start');
  }

  const { page } = viewer;
  await page.goto(`${stack.web}/`);
  const card = page.getByRole('link', { name: `${streamer.name}, live` });
  await expect(card).toBeVisible({ timeout: 30_000 });
  await screenshots(page, 'directory-live');
  await card.click();
  await expect(page.getByRole('heading', { name: streamer.name })).toBeVisible();
  await expect(page.getByText('Stream offline')).toBeHidden({ timeout: 20_000 });

  if (stack.rtmp) {
    const video = page.getByTestId('video');
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(1);
    const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(t0 + 1);
    const sent = await api(token, 'POST', '/channel/actions/send', { name: 'notice', data: { title: 'Giveaway', message: 'Stick around for the draw', duration: 5 } });
    expect(sent.status).toBe(200);
    const notice = page.getByRole('status', { name: 'Notice' });
    await expect(notice).toContainText('Giveaway', { timeout: 20_000 });
    await screenshots(page, 'channel-live-overlay');
    await expect(notice).toBeHidden({ timeout: 15_000 });
  } else {
    // The overlay route accepts overlays while the channel is live.
    const sent = await api(token, 'POST', '/channel/actions/send', { name: 'celebration', data: { duration: 10 } });
    expect(sent.status).toBe(200);
    await screenshots(page, 'channel-live');
  }
});

test('chat both ways; the owner deletes a message and bans the viewer', async () => {
  const owner = streamer.page, fan = viewer.page;
  await owner.goto(`${stack.web}/${streamer.name}`);
  await expect(owner.getByText('Moderating')).toBeVisible({ timeout: 20_000 });
  await expect(fan.getByLabel('Say something')).toBeEnabled();

  const fanBox = fan.getByLabel('Say something');
  await fanBox.fill('hello from the audience <b>not bold</b>');
  await fanBox.press('Enter');
  const ownerMsg = owner.getByTestId('chat-message').filter({ hasText: 'hello from the audience' });
  await expect(ownerMsg).toBeVisible();
  // Text is text: the markup is shown, not rendered.
  await expect(ownerMsg).toContainText('<b>not bold</b>');
  await expect(fanBox).toHaveValue('');

  await owner.getByLabel('Say something').fill('welcome, friend');
  await owner.getByRole('button', { name: 'Send' }).click();
  await expect(fan.getByTestId('chat-message').filter({ hasText: 'welcome, friend' })).toBeVisible();
  await screenshots(fan, 'channel-chat');

  await ownerMsg.hover();
  await ownerMsg.getByRole('button', { name: 'Delete message' }).click();
  await expect(fan.getByText('Your message was removed')).toBeVisible();
  await expect(owner.getByText('Message removed')).toBeVisible();

  await fanBox.fill('one more');
  await fanBox.press('Enter');
  const second = owner.getByTestId('chat-message').filter({ hasText: 'one more' });
  await second.hover();
  await second.getByRole('button', { name: 'Ban user' }).click();
  const dialog = owner.getByRole('dialog', { name: 'Ban user' });
  await expect(dialog).toContainText(`ban ${viewer.name}?`);
  await screenshots(owner, 'ban-dialog');
  await dialog.getByRole('button', { name: 'Ban user' }).click();
  await expect(second).toBeHidden();

  await expect(fan.getByText('You are banned from this channel')).toBeVisible({ timeout: 20_000 });
  await expect(fan.getByLabel('Say something')).toBeHidden();
  await screenshots(fan, 'channel-banned');
});

test('a forgotten password is reset through the emailed link', async () => {
  const { page, name, email } = viewer;
  await page.getByRole('button', { name: 'Profile menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await page.goto(`${stack.web}/login`);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page.getByRole('heading', { name: 'Reset your password' })).toBeVisible();
  await page.getByLabel('Username').fill(name);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('If an account with this username exists')).toBeVisible();
  const link = await mailLink(email, '/reset');
  await page.goto(link);
  await expect(page.getByRole('heading', { name: 'Choose a new password' })).toBeVisible();
  await page.getByLabel('New password').fill('Weak');
  await page.getByLabel('Confirm password').fill('Weak');
  await page.getByRole('button', { name: 'Reset password' }).click();
  await expect(page.getByText('Use 8 characters or more with at least 1 uppercase')).toBeVisible();
  await page.getByLabel('New password').fill('N3w-Passw0rd!');
  await page.getByLabel('Confirm password').fill('N3w-Passw0rd!');
  await screenshots(page, 'reset');
  await page.getByRole('button', { name: 'Reset password' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText('Password has been reset')).toBeVisible();
  await signIn(page, name, 'N3w-Passw0rd!');
});

test('reset the stream key', async () => {
  const { page } = streamer;
  await page.goto(`${stack.web}/settings`);
  const key = page.getByLabel('Stream key', { exact: true });
  const before = await key.inputValue();
  await page.getByRole('button', { name: 'Reset stream key' }).click();
  const dialog = page.getByRole('dialog', { name: 'Reset stream key' });
  await expect(dialog).toContainText('live stream will be terminated');
  await dialog.getByRole('button', { name: 'Reset stream key' }).click();
  await expect(page.getByText('Stream key reset')).toBeVisible();
  await expect(key).not.toHaveValue(before);
  await expect(key).toHaveValue(/^sk_/);
});

test('change the username and sign in with the new name', async () => {
  const { page } = streamer;
  const renamed = uniqueName('renamed');
  const form = page.getByRole('form', { name: 'Change username' });
  await expect(form.getByRole('button', { name: 'Save' })).toBeDisabled();
  await form.getByLabel('Username').fill(renamed);
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Username saved')).toBeVisible();
  await page.getByRole('button', { name: 'Profile menu' }).click();
  await page.getByRole('menuitem', { name: 'Log out' }).click();
  await signIn(page, streamer.name).catch(() => undefined);
  await expect(page.getByText('Incorrect username or password')).toBeVisible();
  await signIn(page, renamed);
  streamer.name = renamed;
  await page.goto(`${stack.web}/${renamed}/profile`);
  await expect(page.getByRole('heading', { name: renamed })).toBeVisible();
  await screenshots(page, 'channel-profile');
});

test('delete the account', async () => {
  const { page } = streamer;
  await page.goto(`${stack.web}/settings`);
  await page.getByRole('button', { name: 'Delete account' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete account' });
  await expect(dialog).toContainText('Are you sure you would like to delete your account?');
  await dialog.getByRole('button', { name: 'Delete account' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText('Your account has been successfully deleted.')).toBeVisible();
  await page.getByLabel('Username').fill(streamer.name);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByText('Incorrect username or password')).toBeVisible();
});
