// Headless Debian chromium driven by playwright-core (no browser download): launch with a fresh
// profile, fill and submit the UI's forms, write screenshots as test artifacts, and check the
// accessibility basics (a label for every control, headings in order, no sideways scrolling at
// 375 px). requireChromium skips visibly on a dev machine and throws under CI=true.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { findBinary, requireClient } from './clients.js';
import { repoRoot } from './launch.js';

export type { Browser, BrowserContext, Page } from 'playwright-core';

/** Where screenshots go (gitignored). */
export const artifactDir = join(repoRoot, 'test', 'artifacts', 'ui');

export function requireChromium(): string | undefined {
  return requireClient('chromium');
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: findBinary('chromium') ?? '/usr/bin/chromium',
    headless: true,
    // Playwright gives every launch a fresh temporary --user-data-dir.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60_000,
  });
}

/** A browser context (its own cookies) at desktop size; javaScript can be turned off. */
export async function newContext(browser: Browser, opts: { javaScript?: boolean; width?: number } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: opts.width ?? 1280, height: 900 }, javaScriptEnabled: opts.javaScript ?? true });
  context.setDefaultTimeout(15_000);
  return context;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(artifactDir, { recursive: true });
  const path = join(artifactDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Fills the form fields (by label text) and clicks the named button, waiting for the page it loads. */
export async function submitForm(page: Page, fields: Record<string, string>, button: string, scope?: string): Promise<void> {
  const root = scope ? page.locator(scope) : page;
  for (const [label, value] of Object.entries(fields)) await root.getByLabel(label, { exact: true }).fill(value);
  await Promise.all([page.waitForLoadState('load'), root.getByRole('button', { name: button, exact: true }).click()]);
  await page.waitForLoadState('load');
}

interface A11yReport {
  unlabelled: string[];
  headings: string[];
  overflow: number;
}

/**
 * The accessibility basics of the page as it is: every visible form control has an accessible
 * name from a label (or aria-label), the headings start at one h1 and never skip a level, and at
 * a 375 px wide viewport nothing makes the page scroll sideways.
 */
export async function checkAccessibility(page: Page, what: string): Promise<void> {
  // A string, evaluated in the page: this package compiles without the DOM's types.
  const report = (await page.evaluate(`(() => {
    const controls = [...document.querySelectorAll('input, select, textarea')].filter((el) => el.type !== 'hidden');
    const unlabelled = controls
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML.slice(0, 120));
    const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => h.tagName);
    return { unlabelled, headings, overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth };
  })()`)) as A11yReport;
  assert.deepEqual(report.unlabelled, [], `${what}: form controls without a label`);
  assert.equal(report.headings.filter((h) => h === 'H1').length, 1, `${what}: one h1 (${report.headings.join(' ')})`);
  assert.equal(report.headings[0], 'H1', `${what}: the first heading is the h1 (${report.headings.join(' ')})`);
  for (let i = 1; i < report.headings.length; i++) {
    const jump = Number(report.headings[i]![1]) - Number(report.headings[i - 1]![1]);
    assert.ok(jump <= 1, `${what}: heading ${report.headings[i]} follows ${report.headings[i - 1]} (${report.headings.join(' ')})`);
  }
  assert.ok(report.overflow <= 0, `${what}: scrolls sideways by ${report.overflow}px at ${page.viewportSize()?.width}px`);
}

/** The page checked at its width and again at 375 px, then back to its width. */
export async function checkAccessibilityAt375(page: Page, what: string): Promise<void> {
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  await checkAccessibility(page, what);
  await page.setViewportSize({ width: 375, height: 800 });
  await checkAccessibility(page, `${what} at 375 px`);
  await page.setViewportSize(size);
}
