// Issue 10's streamer journey in one chain, against the real offline stack:
// the streamer goes live from the browser (the official web broadcast SDK,
// Chromium's fake camera and microphone, the media plane's WebRTC ingest), a
// signed-in viewer in a second browser context watches, answers a quiz the
// streamer sent from a saved preset, chats and is banned from the moderator
// chat; the streamer ends the stream and reviews its health (charts with
// data, the lifecycle events, the encoder configuration measured from the
// browser's stream).

import type { Page } from '@playwright/test';
import { accessToken, api, expect, goLiveFromBrowser, registerAndSignIn, screenshots, stack, test, uniqueName, viewportShot } from './stack';

/** How many values the uPlot chart titled `title` holds for its series (Chart.tsx's data-values). */
function plotted(page: Page, title: string) {
  return page.locator(`[aria-label="${title} chart"] .chart-box`).getAttribute('data-values').then((v) => Number(v ?? 0));
}

test('a streamer goes live from the browser, runs a quiz from a preset, bans a viewer, ends the stream and reviews its health', async ({ browser }) => {
  test.skip(!stack.rtmp, 'this build of the stack has no media plane (no WebRTC ingest to go live to)');
  // Two browsers with live video next to the rest of the suite on 2 cores: generous.
  test.setTimeout(420_000);
  const started = Date.now();
  const streamerCtx = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1366, height: 860 } });
  const viewerCtx = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  try {
    const page = await streamerCtx.newPage();
    const fan = await viewerCtx.newPage();
    const name = uniqueName('jrny');
    const fanName = uniqueName('jfan');
    await Promise.all([registerAndSignIn(page, name, `${name}@example.com`), registerAndSignIn(fan, fanName, `${fanName}@example.com`)]);

    // The manager, offline: a quiz saved as a preset on the server.
    await page.goto(`${stack.web}/manager`);
    await expect(page.getByRole('heading', { name: 'Stream manager', exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Quiz', exact: true }).click();
    const quiz = page.getByRole('dialog', { name: 'Host a quiz' });
    await quiz.getByLabel('Question').fill('Which planet is closest to the sun?');
    await quiz.getByLabel('Answer 1', { exact: true }).fill('Venus');
    await quiz.getByLabel('Answer 2', { exact: true }).fill('Mercury');
    await quiz.getByLabel('Answer 3', { exact: true }).fill('Mars');
    await quiz.getByRole('radio', { name: 'Answer 2 is correct' }).check();
    await quiz.getByLabel(/Duration/).fill('30');
    await quiz.getByRole('button', { name: 'Save preset' }).click();
    await expect(quiz.getByText('Preset saved', { exact: true })).toBeVisible();
    await quiz.getByRole('button', { name: 'Cancel' }).click();

    // Go live from the browser.
    await goLiveFromBrowser(page);

    // The viewer finds the channel live in the directory and the video plays.
    await fan.goto(`${stack.web}/`);
    const card = fan.getByRole('link', { name: `${name}, live` });
    await expect(card).toBeVisible({ timeout: 30_000 });
    await card.click();
    await expect(fan.getByRole('heading', { name })).toBeVisible();
    const video = fan.getByTestId('video');
    const currentTime = () => video.evaluate((v: HTMLVideoElement) => v.currentTime);
    await expect.poll(currentTime, { timeout: 45_000 }).toBeGreaterThan(0.5);
    const t0 = await currentTime();
    await expect.poll(currentTime, { timeout: 15_000 }).toBeGreaterThan(t0 + 1);

    // The quiz from its preset: the dialog opens with it; an edit is
    // discarded by loading the preset again; then it is sent.
    await page.getByRole('button', { name: 'Quiz', exact: true }).click();
    await expect(quiz.getByLabel('Question')).toHaveValue('Which planet is closest to the sun?');
    await quiz.getByLabel('Question').fill('An edit that is not kept');
    await quiz.getByRole('button', { name: 'Load preset' }).click();
    await expect(quiz.getByLabel('Question')).toHaveValue('Which planet is closest to the sun?');
    await expect(quiz.getByLabel('Answer 2', { exact: true })).toHaveValue('Mercury');
    await quiz.getByRole('button', { name: 'Send', exact: true }).click();
    await expect(quiz).toBeHidden();
    const active = page.getByRole('status', { name: 'Active overlay' });
    await expect(active).toContainText('Host a quiz');
    await expect(active).toContainText(/\d+ s left/);

    // The viewer sees it over the video (timed metadata in the stream) and answers.
    const fanQuiz = fan.getByRole('group', { name: 'Quiz' });
    // (All before the quiz's 30 s are up, the longest an overlay may last: no captures in between.)
    await expect(fanQuiz).toContainText('Which planet is closest to the sun?', { timeout: 25_000 });
    await fanQuiz.getByRole('button', { name: 'Mercury' }).click();
    await expect(fanQuiz.getByRole('status')).toHaveText('Correct!');
    await viewportShot(fan, 'journey-viewer-quiz');
    await viewportShot(page, 'journey-manager-live-quiz');

    // The streamer stops the overlay.
    await active.getByRole('button', { name: 'Stop', exact: true }).click();
    await expect(active).toBeHidden();
    const token = await accessToken(page);
    expect((await api<object>(token, 'GET', '/channel/actions/active')).body).toEqual({});

    // The viewer chats; the streamer bans them from the manager's moderator chat.
    const fanBox = fan.getByLabel('Say something');
    await expect(fanBox).toBeEnabled({ timeout: 20_000 });
    await fanBox.fill('great stream!');
    await fanBox.press('Enter');
    await expect(page.getByText('Moderating')).toBeVisible();
    const msg = page.getByTestId('chat-message').filter({ hasText: 'great stream!' });
    await expect(msg).toBeVisible({ timeout: 20_000 });
    await msg.hover();
    await msg.getByRole('button', { name: 'Ban user' }).click();
    await page.getByRole('dialog', { name: 'Ban user' }).getByRole('button', { name: 'Ban user' }).click();
    await expect(msg).toBeHidden();
    // Listed at once (the list polls every 30 s; the ban invalidates it).
    await expect(page.getByRole('list', { name: 'Banned users' }).getByText(fanName, { exact: true })).toBeVisible({ timeout: 5_000 });
    await expect(page.getByRole('button', { name: `Unban ${fanName}` })).toBeVisible();
    await expect(fan.getByText('You are banned from this channel')).toBeVisible({ timeout: 20_000 });
    await expect(fan.getByLabel('Say something')).toBeHidden();
    // The API does not tell a banned viewer whether the channel is live: the page does not claim "Offline".
    await expect(fan.locator('.channel-bar')).not.toContainText('Offline');
    await viewportShot(page, 'journey-manager-banned');
    await viewportShot(fan, 'journey-viewer-banned');
    // The directory still lists the live channel.
    await fan.goto(`${stack.web}/`);
    const liveCard = fan.getByRole('link', { name: `${name}, live` });
    await expect(liveCard).toBeVisible({ timeout: 30_000 });

    // The streamer ends the stream, with confirmation; the viewer's directory drops it.
    await page.getByRole('button', { name: 'End stream', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'End stream' });
    await expect(confirm).toContainText('Are you sure you want to end your live stream?');
    await confirm.getByRole('button', { name: 'End stream' }).click();
    await expect(page.getByRole('button', { name: 'Go live', exact: true })).toBeVisible();
    await expect(page.locator('.status-bar .pill-idle')).toBeVisible({ timeout: 30_000 });
    await expect(liveCard).toBeHidden({ timeout: 30_000 });
    await viewportShot(fan, 'journey-viewer-offline');

    // Stream health of that session: charts with data, the lifecycle, the measured encoder.
    await page.goto(`${stack.web}/health`);
    await expect(page).toHaveURL(/\/health\/[^/]+$/);
    const events = page.getByRole('list', { name: 'Events' });
    await expect(events).toContainText('Session Ended', { timeout: 30_000 });
    await expect(events.locator('li').first()).toContainText('Session Created');
    await expect(events.locator('li').last()).toContainText('Session Ended');
    for (const e of ['Stream Start', 'Stream End']) await expect(events).toContainText(e);
    await expect.poll(() => plotted(page, 'Video bitrate')).toBeGreaterThan(2);
    await expect.poll(() => plotted(page, 'Frame rate')).toBeGreaterThan(2);
    const encoder = page.getByRole('region', { name: 'Encoder configuration' });
    await expect(encoder.getByRole('definition').filter({ hasText: /^\d+ × \d+/ })).toBeVisible();
    await expect(encoder).toContainText('avc1');
    await expect(encoder.getByText('Keyframe interval', { exact: true })).toBeVisible();
    await expect(encoder.getByRole('button', { name: 'Copy Resolution' })).toBeVisible();
    await screenshots(page, 'journey-health');
    test.info().annotations.push({ type: 'timing', description: `journey ${Math.round((Date.now() - started) / 1000)} s` });
  } finally {
    await streamerCtx.close();
    await viewerCtx.close();
  }
});
