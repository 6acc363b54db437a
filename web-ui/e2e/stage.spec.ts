// Real-time stages end to end (issue 11), against the real offline stack
// and its SFU: a host, an invited guest and an anonymous viewer in three
// browser contexts of Chromium with fake camera and microphone. Each state
// photographed is also checked for accessibility (e2e/axe.ts).

import type { Browser, BrowserContext, Locator, Page } from '@playwright/test';
import { expectAccessible } from './axe';
import { accessToken, api, expect, PASSWORD, screenshots, stack, test, uniqueName } from './stack';

test.describe.configure({ mode: 'serial' });

interface Person { ctx: BrowserContext; page: Page; name: string }
let host: Person;
let guest: Person;
let viewer: Person;

async function cognito(target: string, body: unknown) {
  const r = await fetch(stack.aws, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AWSCognitoIdentityProviderService.${target}` },
    body: JSON.stringify(body),
  });
  if (!r.ok) throw new Error(`${target}: ${r.status} ${await r.text()}`);
  return r.json();
}

/** A confirmed user (signed up and confirmed through the API: registration has its own tests). */
async function makeUser(name: string) {
  const cfg = (await (await fetch(`${stack.web}/config.json`)).json()) as { userPoolClientId: string };
  const email = `${name}@example.com`;
  await cognito('SignUp', { ClientId: cfg.userPoolClientId, Username: name, Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: email }] });
  let code = '';
  for (let i = 0; i < 60 && !code; i++) {
    const mails = (await (await fetch(`${stack.aws}/_local/mail?to=${encodeURIComponent(email)}`)).json()) as { code?: string }[];
    code = mails.find((m) => m.code)?.code ?? '';
    if (!code) await new Promise((r) => setTimeout(r, 250));
  }
  await cognito('ConfirmSignUp', { ClientId: cfg.userPoolClientId, Username: name, ConfirmationCode: code });
}

async function person(browser: Browser, prefix: string, signedIn: boolean): Promise<Person> {
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 860 }, permissions: ['camera', 'microphone'] });
  const page = await ctx.newPage();
  const name = uniqueName(prefix);
  if (signedIn) {
    await makeUser(name);
    await page.goto(`${stack.web}/login`);
    await page.getByLabel('Username').fill(name);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('button', { name: 'Profile menu' })).toBeVisible({ timeout: 30_000 });
  }
  return { ctx, page, name };
}

/** Every tile's video is playing real frames, and its stream has an audio track. */
async function expectPlaying(tile: Locator) {
  const video = tile.locator('video');
  await expect.poll(async () => video.evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && !v.paused && v.readyState >= 2), { timeout: 20_000 }).toBe(true);
  const t0 = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 10_000 }).toBeGreaterThan(t0);
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => (v.srcObject as MediaStream | null)?.getAudioTracks().filter((t) => t.readyState === 'live').length ?? 0)).toBeGreaterThan(0);
}

const tiles = (p: Page) => p.getByRole('list', { name: 'Participants' }).getByTestId('stage-tile');

test.beforeAll(async ({ browser }) => {
  [host, guest, viewer] = await Promise.all([person(browser, 'host', true), person(browser, 'guest', true), person(browser, 'anon', false)]);
  // Keeps the page's WebSockets reachable, so a test can cut the stage's
  // presence connection as a network drop would.
  await guest.ctx.addInitScript(() => {
    const w = window as unknown as { __sockets: WebSocket[]; WebSocket: typeof WebSocket };
    w.__sockets = [];
    const Native = w.WebSocket;
    w.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        w.__sockets.push(this);
      }
    };
  });
});

test.afterAll(async () => {
  await Promise.all([host?.ctx.close(), guest?.ctx.close(), viewer?.ctx.close()]);
});

test('the host opens a stage, previews the camera and publishes', async () => {
  const { page } = host;
  await page.getByRole('link', { name: 'Stage' }).click();
  await expect(page.getByRole('heading', { name: 'Open your stage' })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: /Allow anonymous viewers/ })).toBeChecked();
  await page.getByRole('button', { name: 'Open my stage' }).click();

  await expect(page.getByRole('region', { name: 'Camera and microphone preview' })).toBeVisible();
  await expect(page.getByLabel('Camera', { exact: true })).toBeEnabled();
  await expect(page.getByLabel('Microphone', { exact: true })).toBeEnabled();
  await expect.poll(() => page.getByLabel('Your camera preview').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0);
  await expectAccessible(page, 'stage-host-preview');
  await screenshots(page, 'stage-host-preview');

  await page.getByRole('button', { name: 'Join stage' }).click();
  await expect(page.getByText('🔴 Publishing')).toBeVisible({ timeout: 20_000 });
  await expect(tiles(page)).toHaveCount(1);
  await expect(tiles(page).first()).toHaveAttribute('data-publish-state', 'PUBLISHED');
  await expect(page.getByRole('region', { name: 'Stage chat' })).toBeVisible();

  // Mute and camera off reach the tile (and the toggle says its state).
  await page.getByRole('button', { name: 'Mute microphone' }).click();
  await expect(page.getByRole('button', { name: 'Unmute microphone' })).toHaveAttribute('aria-pressed', 'true');
  await expect(tiles(page).first().getByRole('img', { name: 'Microphone muted' })).toBeVisible();
  await page.getByRole('button', { name: 'Unmute microphone' }).click();
  await expect(tiles(page).first().getByRole('img', { name: 'Microphone muted' })).toHaveCount(0);
});

test('a signed-in user who is not invited may not publish, and is told so', async () => {
  const { page } = guest;
  await page.goto(`${stack.web}/stage/${host.name}?invite=1`);
  await expect(page.getByRole('heading', { name: 'You are not invited to publish' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Watch instead' })).toBeVisible();
  await expectAccessible(page, 'stage-not-invited');
  await screenshots(page, 'stage-not-invited');
});

test('the host invites the guest, who joins as a publisher from the invite link', async () => {
  await host.page.getByLabel('Username to invite').fill(guest.name);
  await host.page.getByRole('button', { name: 'Invite', exact: true }).click();
  await expect(host.page.getByRole('list', { name: 'Invited' }).getByText(guest.name)).toBeVisible();
  const link = await host.page.getByLabel('Invite link').inputValue();
  expect(link).toBe(`${stack.web}/stage/${host.name}?invite=1`);

  const { page } = guest;
  await page.goto(link);
  await expect(page.getByRole('region', { name: 'Camera and microphone preview' })).toBeVisible();
  await expect.poll(() => page.getByLabel('Your camera preview').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Join stage' }).click();
  await expect(page.getByText('🔴 Publishing')).toBeVisible({ timeout: 20_000 });
  await expect(tiles(page)).toHaveCount(2);
  await expectPlaying(tiles(page).filter({ hasText: host.name }));

  await expect(tiles(host.page)).toHaveCount(2);
  await expectPlaying(tiles(host.page).filter({ hasText: guest.name }));
  await expectAccessible(host.page, 'stage-host-with-guest');
  await screenshots(host.page, 'stage-host-with-guest');
});

test('the guest\'s connection drops: the page rejoins with a new token, publishing again, its state kept', async () => {
  const { page } = guest;
  await page.getByRole('button', { name: 'Mute microphone' }).click();
  const guestTile = tiles(host.page).filter({ hasText: guest.name });
  await expect(guestTile.getByRole('img', { name: 'Microphone muted' })).toBeVisible();
  const cut = await page.evaluate(() => {
    const open = (window as unknown as { __sockets: WebSocket[] }).__sockets.filter((w) => w.url.includes('/events') && w.readyState === WebSocket.OPEN);
    open.forEach((w) => w.close());
    return open.length;
  });
  expect(cut).toBe(1);
  await expect(page.getByText(/Reconnecting to the stage/)).toBeVisible();
  await expect(page.getByText('🔴 Publishing')).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText(/Reconnecting to the stage/)).toHaveCount(0);
  // Still muted, for everyone; and the host receives the new connection's media.
  await expect(page.getByRole('button', { name: 'Unmute microphone' })).toHaveAttribute('aria-pressed', 'true');
  await expect(tiles(host.page)).toHaveCount(2, { timeout: 20_000 });
  await expect(guestTile.getByRole('img', { name: 'Microphone muted' })).toBeVisible();
  await expectPlaying(guestTile);
  await page.getByRole('button', { name: 'Unmute microphone' }).click();
  await expect(guestTile.getByRole('img', { name: 'Microphone muted' })).toHaveCount(0);
});

test('an anonymous viewer sees and hears both, with volume per participant', async () => {
  const { page } = viewer;
  await page.goto(`${stack.web}/`);
  await expect(page.getByRole('heading', { name: 'Stages' })).toBeVisible({ timeout: 20_000 });
  await page.getByRole('link', { name: new RegExp(`^${host.name}'s stage, live`) }).click();
  await expect(page).toHaveURL(`${stack.web}/stage/${host.name}`);
  await expect(tiles(page)).toHaveCount(2, { timeout: 20_000 });
  for (const name of [host.name, guest.name]) await expectPlaying(tiles(page).filter({ hasText: name }));
  await expect(page.getByText('🔴 Publishing')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Mute microphone' })).toHaveCount(0);

  const guestTile = tiles(page).filter({ hasText: guest.name });
  await guestTile.hover();
  await guestTile.getByRole('button', { name: `Mute ${guest.name}` }).click();
  await expect(guestTile.locator('video')).toHaveJSProperty('muted', true);
  await guestTile.getByRole('button', { name: `Unmute ${guest.name}` }).click();
  await guestTile.getByLabel(`Volume of ${guest.name}`).fill('40');
  await expect.poll(() => guestTile.locator('video').evaluate((v: HTMLVideoElement) => v.volume)).toBeCloseTo(0.4);
  await expectAccessible(page, 'stage-viewer');
  await screenshots(page, 'stage-viewer');

  // The host sees the viewer among the people on the stage.
  await expect(host.page.getByTestId('stage-person').filter({ has: host.page.getByText('Guest', { exact: true }) })).toHaveCount(1);
});

test('a token minted elsewhere joins from /stage/join, capabilities read from it', async () => {
  const channel = await (await fetch(`${stack.api}/channels/${host.name}`)).json() as { stageId: string };
  // Anonymous on an open stage: the service mints a subscribe-only token.
  const minted = await (await fetch(`${stack.api}/stages/${channel.stageId}/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json() as { token: { token: string } };
  const page = await viewer.ctx.newPage();
  await page.goto(`${stack.web}/stage/join`);
  await page.getByLabel('Participant token').fill('not a token');
  await expect(page.getByRole('alert')).toContainText('not a participant token');
  await page.getByLabel('Participant token').fill(minted.token.token);
  await expect(page.getByText(/Can subscribe · stage/)).toBeVisible();
  await expect(page.getByRole('button', { name: /start publishing/ })).toHaveCount(0);
  await expectAccessible(page, 'stage-join-token');
  await screenshots(page, 'stage-join-token');
  await page.getByRole('button', { name: 'Join stage' }).click();
  await expect(tiles(page)).toHaveCount(2, { timeout: 20_000 });
  await expectPlaying(tiles(page).filter({ hasText: guest.name }));
  await page.getByRole('button', { name: 'Leave stage' }).click();
  await page.close();
});

test('the host removes the guest, who sees why', async () => {
  await host.page.getByRole('button', { name: `Remove ${guest.name} from the stage` }).click();
  await host.page.getByRole('dialog', { name: 'Remove from the stage' }).getByRole('button', { name: 'Remove' }).click();
  await expect(guest.page.getByRole('heading', { name: 'You were removed from the stage' })).toBeVisible({ timeout: 15_000 });
  await expect(tiles(host.page)).toHaveCount(1, { timeout: 15_000 });
  await expect(tiles(viewer.page)).toHaveCount(1, { timeout: 15_000 });
  await expectAccessible(guest.page, 'stage-guest-removed');
  await screenshots(guest.page, 'stage-guest-removed');
});

test('a banned user is told so, and a members-only stage asks anonymous visitors to sign in', async () => {
  const token = await accessToken(host.page);
  expect((await api(token, 'POST', '/channel/ban', { bannedUsername: guest.name })).status).toBe(200);
  await guest.page.goto(`${stack.web}/stage/${host.name}`);
  await expect(guest.page.getByRole('heading', { name: 'You cannot join this stage' })).toBeVisible();
  await expect(guest.page.getByText('The host has banned you from their channel.')).toBeVisible();
  await expectAccessible(guest.page, 'stage-banned');
  await screenshots(guest.page, 'stage-banned');

  await host.page.getByRole('checkbox', { name: 'Allow anonymous viewers' }).uncheck();
  await expect(host.page.getByText('Only signed-in people can watch')).toBeVisible();
  const anon = await viewer.ctx.browser()!.newContext();
  const page = await anon.newPage();
  await page.goto(`${stack.web}/stage/${host.name}`);
  await expect(page.getByRole('heading', { name: 'Sign in to join this stage' })).toBeVisible();
  await expect(page.getByRole('alert').getByRole('link', { name: 'Log in', exact: true })).toBeVisible();
  await expectAccessible(page, 'stage-sign-in-required');
  await screenshots(page, 'stage-sign-in-required');
  await anon.close();
});

test('the host ends the stage and everyone sees it end', async () => {
  await host.page.getByRole('button', { name: 'End stage' }).click();
  await host.page.getByRole('dialog', { name: 'End the stage' }).getByRole('button', { name: 'End stage' }).click();
  await expect(host.page.getByRole('heading', { name: 'Your stage has ended' })).toBeVisible();
  await expect(viewer.page.getByRole('heading', { name: 'The stage has ended' })).toBeVisible({ timeout: 15_000 });
  await expectAccessible(viewer.page, 'stage-viewer-ended');
  await screenshots(viewer.page, 'stage-viewer-ended');
  // A visitor who comes now is told there is no stage.
  const page = await viewer.ctx.newPage();
  await page.goto(`${stack.web}/stage/${host.name}`);
  await expect(page.getByRole('heading', { name: 'No stage right now' })).toBeVisible();
});
