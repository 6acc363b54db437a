// The running stack of global-setup.ts, and helpers that talk to it the
// way a person would (the mailbox) or a test must (the API).

import { spawn, type ChildProcess } from 'node:child_process';
import { expect, test as base, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const stack = {
  get web() { return process.env.ONAIR_WEB_URL!; },
  get api() { return process.env.ONAIR_API_URL!; },
  get aws() { return process.env.ONAIR_AWS_URL!; },
  get rtmp() { return process.env.ONAIR_RTMP_URL ?? ''; },
};

/** The violation reports the stack received (the offline policy's report-uri). */
async function cspReports(): Promise<unknown[]> {
  const r = await fetch(`${stack.web}/_local/csp-reports`);
  return r.ok ? ((await r.json()) as unknown[]) : [];
}

/**
 * Every test fails on a Content-Security-Policy violation: the offline stack
 * serves the deployed app's policy (shared/webheaders), so what would break
 * in the cloud breaks here. In the test's own context, Chromium's console
 * errors and the pages' securitypolicyviolation events (which also cover
 * workers) are collected; in contexts a test makes itself, the reports the
 * browser sends to the stack catch it. global-teardown.ts fails the run on
 * any report too.
 */
export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ context }, use) => {
      const violations: string[] = [];
      context.on('console', (msg) => {
        const text = msg.text();
        if (/Content Security Policy|CSP violation/i.test(text)) violations.push(text);
      });
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
        });
      });
      const before = (await cspReports()).length;
      await use(violations);
      await new Promise((r) => setTimeout(r, 300)); // reports are sent asynchronously
      const reports = (await cspReports()).slice(before).map((r) => `reported: ${JSON.stringify(r)}`);
      expect([...violations, ...reports], 'Content-Security-Policy violations').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

export interface Mail { to: string; subject?: string; body?: string; code?: string; link?: string; [k: string]: unknown }

/** The newest email to `to` whose body has a link to `path`, polled from /_local/mail. */
export async function mailLink(to: string, path: '/login' | '/reset'): Promise<string> {
  for (let i = 0; i < 60; i++) {
    const r = await fetch(`${stack.aws}/_local/mail?to=${encodeURIComponent(to)}`);
    const mails = (await r.json()) as Mail[];
    for (const m of mails) {
      const text = String(m.body ?? '');
      const match = new RegExp(`https?://[^"'\\s<>]*${path}\\?[^"'\\s<>]*`).exec(text);
      if (match) return match[0].replaceAll('&amp;', '&');
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error(`no email with a ${path} link for ${to}`);
}

const shots = resolve(import.meta.dirname, 'artifacts', 'screenshots');

/** Full-page screenshots at desktop and mobile widths (test artefacts). */
export async function screenshots(page: Page, name: string) {
  mkdirSync(shots, { recursive: true });
  const size = page.viewportSize() ?? { width: 1366, height: 860 };
  // From the top: a full-page capture of a scrolled page draws the sticky
  // header and side panels where the scroll left them, mid-page.
  const top = () => page.evaluate(() => window.scrollTo(0, 0));
  await top();
  await page.screenshot({ path: join(shots, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await top();
  await page.screenshot({ path: join(shots, `${name}-mobile.png`), fullPage: true });
  await page.setViewportSize(size);
}

/**
 * A desktop capture of the viewport only, for pages sending or playing live
 * video: full-page captures at two widths of those took up to 15 s each on a
 * loaded 2-core machine.
 */
export async function viewportShot(page: Page, name: string) {
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, `${name}-desktop.png`) });
}

let counter = 0;
/** A username unique to this run (4–20 characters). */
export function uniqueName(prefix: string): string {
  counter++;
  return `${prefix}${Date.now().toString(36).slice(-5)}${counter}${Math.floor(Math.random() * 36).toString(36)}`.slice(0, 20);
}

export const PASSWORD = 'Passw0rd!onair';

/** Registers through the UI, confirms through the emailed link and signs in; the channel is provisioned. */
export async function registerAndSignIn(page: Page, username: string, email: string, shots?: string) {
  await page.goto(`${stack.web}/register`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Confirm password').fill(PASSWORD);
  if (shots) await screenshots(page, shots);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Verify your account' })).toBeVisible();
  const link = await mailLink(email, '/login');
  expect(link).toContain(`username=${username}`);
  await page.goto(link);
  await expect(page.getByText('Your registration has been confirmed')).toBeVisible();
  await expect(page.getByLabel('Username')).toHaveValue(username);
  await signIn(page, username);
}

/** Signs in on /login (the current page when already there). */
export async function signIn(page: Page, username: string, password = PASSWORD) {
  if (!page.url().includes('/login')) await page.goto(`${stack.web}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('button', { name: 'Profile menu' })).toBeVisible({ timeout: 30_000 });
}

/**
 * Goes live from the stream manager (already open on page) with the web
 * broadcast SDK and its fake devices: Go live, the SDK connected and
 * sending, the status bar live once the media plane's Stream Start arrived.
 */
export async function goLiveFromBrowser(page: Page) {
  const goLive = page.getByRole('button', { name: 'Go live', exact: true });
  await expect(goLive).toBeEnabled({ timeout: 30_000 });
  await goLive.click();
  await expect(page.getByTestId('connection-state')).toHaveText('Connected', { timeout: 15_000 });
  await expect(page.getByTestId('outgoing-bitrate')).toHaveText(/\d+ (kbps|Mbps)/, { timeout: 15_000 });
  await expect(page.locator('.status-bar .pill-live')).toBeVisible({ timeout: 30_000 });
}

/** The access token of the signed-in user of page (read from Cognito's storage), for API calls a test makes. */
export async function accessToken(page: Page): Promise<string> {
  return page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.endsWith('.accessToken'));
    return key ? localStorage.getItem(key)! : '';
  });
}

export async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const r = await fetch(`${stack.api}${path}`, {
    method,
    headers: { Authorization: token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/**
 * ffmpeg's 640×360 test pattern and a tone, pushed into the stack's RTMP
 * ingest with streamKey as OBS would send it (H.264 + AAC). video: ffmpeg's
 * keyframe and rate options (a keyframe a second by default); onStderr gets
 * ffmpeg's errors when given.
 */
export function pushTestPattern(streamKey: string, video: string[] = ['-g', '30'], onStderr?: (text: string) => void): ChildProcess {
  const proc = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', ...video,
    '-c:a', 'aac', '-b:a', '96k', '-f', 'flv', `${stack.rtmp}/${streamKey}`,
  ], { stdio: ['ignore', 'ignore', onStderr ? 'pipe' : 'ignore'] });
  if (onStderr) proc.stderr?.on('data', (d: Buffer) => onStderr(d.toString()));
  return proc;
}

/** Drives the stack's stream simulation for username's channel (docs/local.md: /_local/streams). */
export async function simulate(username: string, action: 'start' | 'stop' | 'starve' | 'breach', body?: unknown) {
  const r = await fetch(`${stack.aws}/_local/streams/${encodeURIComponent(username)}/${action}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(r.ok, `${action}: ${r.status} ${await r.text()}`).toBeTruthy();
}
