// Accessibility checks with axe-core, the engine behind Lighthouse's and
// Chrome DevTools' audits. Its source is evaluated in the page by Playwright
// (as @axe-core/playwright does), which the page's Content-Security-Policy
// does not govern, so the check runs against the policy the app ships with.

import type { AxeResults, NodeResult, Result } from 'axe-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test, type Page } from '@playwright/test';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** WCAG 2.2 A and AA, plus axe's best practices (landmarks, one h1, heading order). */
const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

/** What of a violation crosses from the page: the rule and, per element, where and what to fix. */
type Violation = Pick<Result, 'id' | 'impact' | 'help'> & { nodes: Pick<NodeResult, 'target' | 'html' | 'failureSummary'>[] };

/** One line per failing element: rule, impact, element, what to fix. */
function describeViolations(violations: Violation[]): string[] {
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${n.target.join(' ')} ${n.html.slice(0, 120)}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`),
  );
}

/**
 * Fails the test with every WCAG violation axe finds on the page as it is
 * now, in the light and in the dark theme (the app follows the OS), naming
 * `what` and the theme in the message.
 */
export async function expectAccessible(page: Page, what: string) {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    // Colours change with a transition: reduced motion (which the app
    // honours) shortens it, and the check waits for the finite ones to end.
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const result = await page.evaluate(async (runOnly) => {
      // The theme change is applied at the next rendering steps, and the
      // colours it changes start transitions: wait until none is running,
      // for 3 s at most (a paused animation never finishes).
      const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const settle = async () => {
        for (let i = 0; i < 20; i++) {
          await frame();
          const finite = document.getAnimations().filter((a) => a.effect?.getComputedTiming().iterations !== Infinity);
          if (finite.length === 0) return;
          await Promise.all(finite.map((a) => a.finished.catch(() => undefined)));
        }
      };
      const settled = await Promise.race([settle().then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
      const running = settled ? [] : document.getAnimations().map((a) => `${a.constructor.name} ${a.playState} ${(a as CSSAnimation).animationName ?? (a as CSSTransition).transitionProperty ?? ''} on ${(a.effect as KeyframeEffect | null)?.target?.nodeName ?? '?'}`);
      const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<AxeResults> } }).axe;
      const r = await axe.run(document, { runOnly: { type: 'tag', values: runOnly }, resultTypes: ['violations'] });
      const violations: Violation[] = r.violations.map(({ id, impact, help, nodes }) => ({
        id,
        impact,
        help,
        nodes: nodes.map(({ target, html, failureSummary }) => ({ target, html, failureSummary })),
      }));
      return { running, violations };
    }, tags);
    if (result.running.length) {
      // Not a failure: the check ran anyway. Recorded to explain a contrast
      // finding taken mid-transition, should one appear.
      const note = `${what} (${colorScheme}): animations still running after 3 s: ${result.running.join('; ')}`;
      test.info().annotations.push({ type: 'axe', description: note });
      console.log(`axe: ${note}`);
    }
    found.push(...describeViolations(result.violations).map((v) => `${colorScheme}: ${v}`));
  }
  await page.emulateMedia({ colorScheme: null, reducedMotion: null });
  expect(found, `accessibility violations on ${what}`).toEqual([]);
}
