// The web UI in headless chromium against `wharf serve`: stored script payloads (a description,
// a comment, an organization's display name) never run; browsing and search work with
// JavaScript off; the copy button copies; logging out kills the session on the server; every
// page checked has labelled controls, ordered headings and fits 375 px.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkAccessibilityAt375,
  launchChromium,
  newContext,
  requireChromium,
  screenshot,
  submitForm,
  type Browser,
} from '../helpers/browser.js';
import { startWharfStack, type WharfStack } from '../helpers/wharf-stack.js';

const alicePassword = 'alice-correct-horse';
const alice = `alice:${alicePassword}`;
const payloads = [
  '<script>window.__xss = 1; alert(1)</script>',
  '<img src=x onerror="window.__xss = 2; alert(2)">',
  '"><svg onload="window.__xss = 3; alert(3)">',
  '[click me](javascript:window.__xss=4)',
];

describe('the web UI in chromium: escaping, no-JS browsing, copy, logout', () => {
  const skip = requireChromium();
  let stack: WharfStack;
  let browser: Browser;

  before(async () => {
    if (skip) return;
    stack = await startWharfStack({ logLevel: 'warn' });
    browser = await launchChromium();
    await stack.signUp('alice', alicePassword);
    await stack.createRepository(alice, 'alice/xss', 'public', `# Payloads\n\n${payloads.join('\n\n')}`);
    await stack.apiOk('POST', '/api/repositories/alice/xss/comments', { auth: alice, body: { body: payloads.join('\n') }, expect: [201] });
    await stack.apiOk('POST', '/api/orgs', { auth: alice, body: { name: 'xssorg', displayName: payloads[1] }, expect: [201] });
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('runs none of the stored payloads, and the CSP header is on every page', { skip }, async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    for (const path of ['/r/alice/xss', '/n/xssorg', '/search?q=xss', `/search?q=${encodeURIComponent(payloads[0]!)}`]) {
      const res = await page.goto(`${stack.indexUrl}${path}`);
      assert.equal(res?.status(), 200, path);
      assert.match(String(res?.headers()['content-security-policy']), /script-src 'self'/);
      await page.waitForTimeout(100);
      assert.equal(await page.evaluate('window.__xss'), undefined, `a payload ran on ${path}`);
    }
    await page.goto(`${stack.indexUrl}/r/alice/xss`);
    // The payloads are there, as text.
    assert.match(await page.locator('.markdown').innerText(), /<script>window.__xss = 1/);
    assert.match(await page.locator('.comment .body').innerText(), /onerror="window.__xss = 2/);
    assert.equal(await page.locator('.markdown a[href^="javascript:"]').count(), 0);
    await page.goto(`${stack.indexUrl}/n/xssorg`);
    assert.match(await page.locator('h1').innerText(), /<img src=x onerror=/);
    assert.deepEqual(dialogs, []);
    await context.close();
  });

  it('browses and searches with JavaScript off', { skip }, async () => {
    const context = await newContext(browser, { javaScript: false });
    const page = await context.newPage();
    await page.goto(stack.indexUrl);
    await checkAccessibilityAt375(page, 'home (no JS)');
    await page.getByLabel('Search by name or description').fill('xss');
    await Promise.all([page.waitForURL(/\/search\?q=xss/), page.getByLabel('Search by name or description').press('Enter')]);
    await page.getByRole('link', { name: 'alice/xss' }).click();
    await page.waitForURL(/\/r\/alice\/xss$/);
    assert.match(await page.getByLabel('Pull command').inputValue(), /^docker pull 127\.0\.0\.1:\d+\/alice\/xss:latest$/);
    assert.equal(await page.getByRole('button', { name: 'Copy' }).isVisible(), false, 'no copy button without JavaScript');
    await checkAccessibilityAt375(page, 'repository page (no JS)');
    await context.close();
  });

  it('the copy button copies the pull command', { skip }, async () => {
    const context = await newContext(browser);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.indexUrl });
    const page = await context.newPage();
    await page.goto(`${stack.indexUrl}/r/alice/xss`);
    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), await page.getByLabel('Pull command').inputValue());
    await context.close();
  });

  it('logging out invalidates the session on the server: a copied cookie is refused afterwards', { skip }, async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${stack.indexUrl}/login`);
    await checkAccessibilityAt375(page, 'login page');
    await submitForm(page, { Username: 'alice', Password: alicePassword }, 'Log in');
    const cookies = await context.cookies(stack.indexUrl);
    const session = cookies.find((c) => c.name === 'wharf_session');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(await page.evaluate('document.cookie.includes("wharf_session")'), false, 'scripts cannot read it');
    await page.goto(`${stack.indexUrl}/settings`);
    await screenshot(page, 'account-settings');
    await checkAccessibilityAt375(page, 'account settings');
    await Promise.all([page.waitForURL(`${stack.indexUrl}/`), page.getByRole('button', { name: 'Log out' }).click()]);
    const thief = await newContext(browser);
    await thief.addCookies([session]);
    const stolen = await thief.newPage();
    const res = await stolen.goto(`${stack.indexUrl}/settings`);
    assert.equal(res?.status(), 401);
    assert.match(await stolen.locator('h1').innerText(), /Sign in first/);
    await thief.close();
    await context.close();
  });
});
