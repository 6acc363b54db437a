// The running stack of global-setup.ts, and helpers that talk to it the
// way a person would (the mailbox) or a test must (the API).

import { expect, test as base, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const stack = {
  get web() { return process.env.ONAIR_WEB_URL!; },
  get api() { return process.env.ONAIR_API_URL!; },
  get aws() { return process.env.ONAIR_AWS_URL!; },
  get rtmp() { return process.env.ONAIR_RTMP_URL ?? ''; },
};

/**
 * Every test fails on a Content-Security-Policy violation: the offline stack
 * serves the deployed app's policy (shared/webheaders), so what would break
 * in the cloud breaks here. Chromium logs each refusal as a console error,
 * and the page's securitypolicyviolation events are logged too (they cover
 * workers and report-only cases the console wording may not);
 * global-teardown.ts also fails the run on any report the stack received.
 */
export const test = base.extend<{ cspViolations: string[] }>({
  cspViolations: [
    async ({ page }, use) => {
      const violations: string[] = [];
      page.on('console', (msg) => {
        const text = msg.text();
        if (/Content Security Policy|CSP violation/i.test(text)) violations.push(text);
      });
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
        });
      });
      await use(violations);
      expect(violations, 'Content-Security-Policy violations').toEqual([]);
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
      const text = JSON.stringify(m);
      const match = new RegExp(`https?://[^"'\\s<>]*${path}\\?[^"'\\s<>\\\\]*`).exec(text);
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
  await page.screenshot({ path: join(shots, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(shots, `${name}-mobile.png`), fullPage: true });
  await page.setViewportSize(size);
}

let counter = 0;
/** A username unique to this run (4–20 characters). */
export function uniqueName(prefix: string): string {
  counter++;
  return `${prefix}${Date.now().toString(36).slice(-5)}${counter}${Math.floor(Math.random() * 36).toString(36)}`.slice(0, 20);
}

export const PASSWORD = 'Passw0rd!onair';
