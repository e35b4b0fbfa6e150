// The browser flows in headless chromium against `wharf serve`, with the real docker CLI:
// alice signs up, creates an organization, a team and its permission on an organization
// repository, creates a token in the UI and uses it for `docker login` and `docker push`; the tag appears on the repository page within a second and
// a webhook delivery in its history (redelivered from there); bobby stars and comments; alice
// makes the repository private (bobby's search and direct URL lose it) and adds bobby as a read
// collaborator (he sees it again); a site admin reads the users and the audit log. Screenshots of
// the main pages go to test/artifacts/ui/, and every page visited passes the accessibility basics.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkAccessibilityAt375,
  launchChromium,
  newContext,
  requireChromium,
  screenshot,
  submitForm,
  type Browser,
  type Page,
} from '../helpers/browser.js';
import { loadImage, requireDocker, uniqueName } from '../helpers/docker.js';
import { hostArchitecture } from '../helpers/images.js';
import { processTempDir, waitFor, withLogs } from '../helpers/process.js';
import { dockerAs, startWharfStack, type DockerClient, type WharfStack } from '../helpers/wharf-stack.js';

const alicePassword = 'alice-correct-horse';
const bobbyPassword = 'bobby-battery-staple';
const adminPassword = 'admin-password-42';

/** A webhook target on loopback that records each POST body. */
async function webhookReceiver(): Promise<{ server: Server; url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null'));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies };
}

describe('the web UI flows in chromium with docker', () => {
  const skip = requireChromium() ?? requireDocker();
  let stack: WharfStack;
  let browser: Browser;
  let alice: Page;
  let bobby: Page;
  let receiver: Awaited<ReturnType<typeof webhookReceiver>>;
  let work: string;
  let docker: DockerClient;
  let imageId: string | undefined;

  const url = (path: string) => `${stack.indexUrl}${path}`;
  const logged = <T>(fn: () => Promise<T>) => withLogs(stack, fn);
  /** Opens a page and checks it (and at 375 px) for the accessibility basics. */
  async function visit(page: Page, path: string, what: string, status = 200): Promise<void> {
    const res = await page.goto(url(path));
    assert.equal(res?.status(), status, `${what}: GET ${path}`);
    await checkAccessibilityAt375(page, what);
  }
  const notice = (page: Page) => page.locator('.notice').innerText();

  before(async () => {
    if (skip) return;
    work = processTempDir('wharf-ui-flows-');
    docker = dockerAs(join(work, 'docker-alice'));
    receiver = await webhookReceiver();
    stack = await startWharfStack({ logLevel: 'warn', env: { WHARF_INDEX_WEBHOOKS_ALLOWPRIVATETARGETS: 'true', WHARF_INDEX_WEBHOOKS_INTERVAL: '200ms' } });
    await stack.addUser('siteboss', adminPassword, { admin: true });
    browser = await launchChromium();
    alice = await (await newContext(browser)).newPage();
    bobby = await (await newContext(browser)).newPage();
  });

  after(async () => {
    if (imageId) await docker?.try(['rmi', '-f', imageId]);
    await browser?.close();
    await stack?.stop();
    receiver?.server.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('alice signs up, creates an organization, a team and the team\'s permission on a repository', { skip }, () =>
    logged(async () => {
      await visit(alice, '/signup', 'sign-up page');
      await submitForm(alice, { Username: 'alice', Email: 'alice@example.test', Password: alicePassword }, 'Create account');
      assert.equal(new URL(alice.url()).pathname, '/settings/tokens');
      await visit(alice, '/orgs/new', 'new organization page');
      await submitForm(alice, { Name: 'acmeco', 'Display name (optional)': 'Acme Co.' }, 'Create organization');
      assert.equal(new URL(alice.url()).pathname, '/n/acmeco');
      await submitForm(alice, { 'Team name': 'devs' }, 'Create team');
      assert.match(await notice(alice), /Team devs created/);
      assert.equal(await alice.getByRole('heading', { name: 'devs' }).count(), 1);
      // An organization repository, and the team's permission on it.
      await alice.goto(url('/new?namespace=acmeco'));
      await submitForm(alice, { Name: 'api' }, 'Create repository');
      assert.equal(new URL(alice.url()).pathname, '/r/acmeco/api');
      await alice.goto(url('/n/acmeco'));
      await alice.getByLabel('Repository', { exact: true }).selectOption('acmeco/api');
      await alice.getByLabel('Permission', { exact: true }).selectOption('write');
      await Promise.all([alice.waitForLoadState('load'), alice.getByRole('button', { name: 'Grant' }).click()]);
      assert.match(await notice(alice), /devs may now write acmeco\/api/);
      assert.match(await alice.locator('.team li', { hasText: 'acmeco/api' }).innerText(), /acmeco\/api\s*write/);
      await checkAccessibilityAt375(alice, 'organization page');
      await screenshot(alice, 'organization');
    }));

  it('alice creates a token in the UI, logs docker in with it and pushes; the tag shows within a second', { skip }, () =>
    logged(async () => {
      await visit(alice, '/new', 'new repository page');
      await submitForm(alice, { Name: 'app', 'Description (Markdown, optional)': 'A **demo** app.\n\n- pushed by the UI tests\n- `docker pull` it' }, 'Create repository');
      assert.equal(new URL(alice.url()).pathname, '/r/alice/app');
      await visit(alice, '/r/alice/app/-/settings', 'repository settings');
      await submitForm(alice, { 'Payload URL': receiver.url }, 'Add webhook');
      assert.match(await notice(alice), /Webhook added/);

      await visit(alice, '/settings/tokens', 'tokens page');
      await alice.getByLabel('Name', { exact: true }).fill('docker');
      await alice.getByLabel('Permission').selectOption('read-write');
      await Promise.all([alice.waitForLoadState('load'), alice.getByRole('button', { name: 'Create token' }).click()]);
      const token = await alice.getByLabel('Your new token').inputValue();
      assert.match(token, /^wharf_pat_[A-Za-z0-9_-]{43}$/);
      assert.match(await alice.locator('.created').innerText(), /shown only once/);
      assert.equal(await alice.getByRole('button', { name: 'Copy' }).isVisible(), true);
      // POST/redirect/GET: a reload neither shows the secret again nor creates a second token.
      assert.equal(new URL(alice.url()).pathname, '/settings/tokens');
      await checkAccessibilityAt375(alice, 'tokens page with a new token');
      await screenshot(alice, 'access-tokens');
      await alice.reload();
      assert.equal(await alice.getByLabel('Your new token').count(), 0);
      assert.equal(await alice.getByRole('rowheader', { name: 'docker', exact: true }).count(), 1);

      const login = await docker.login(stack.registryHost, 'alice', token);
      assert.equal(login.code, 0, login.stderr);
      const ref = `${stack.registryHost}/alice/app:v1`;
      imageId = await loadImage(work, ref, 2, `ui ${uniqueName('img')}`);
      await docker.ok('push', ref);
      const pushed = Date.now();
      let shownAfter = -1;
      for (let attempt = 0; attempt < 50 && shownAfter < 0; attempt++) {
        await alice.goto(url('/r/alice/app'));
        if ((await alice.locator('table.tags th a', { hasText: 'v1' }).count()) > 0) shownAfter = Date.now() - pushed;
        else await alice.waitForTimeout(50);
      }
      assert.ok(shownAfter >= 0 && shownAfter <= 1000, `the tag appeared ${shownAfter} ms after the push (limit 1000)`);
      assert.match(await alice.getByLabel('Pull command').inputValue(), new RegExp(`docker pull ${stack.registryHost}/alice/app:v1`));
      await checkAccessibilityAt375(alice, 'repository page');
      await screenshot(alice, 'repository');
      await alice.getByRole('link', { name: 'v1', exact: true }).click();
      await alice.waitForURL(/\/-\/tags\/v1$/);
      assert.equal(await alice.getByRole('rowheader', { name: 'config' }).count(), 1);
      assert.equal(await alice.getByRole('rowheader', { name: 'layer 2' }).count(), 1);
      // The config the index read from the registry: the docker-pushed image's platform and history.
      assert.equal(await alice.locator('.image-config .platform').innerText(), `linux/${hostArchitecture()}`);
      assert.match(await alice.locator('table.history').innerText(), /wharf-test layer 0[\s\S]*wharf-test layer 1/);
      await checkAccessibilityAt375(alice, 'tag page');
      await screenshot(alice, 'tag');
    }));

  it('a webhook delivery appears in the history after the push, and can be redelivered', { skip }, () =>
    logged(async () => {
      await waitFor('the webhook receiver gets the push', async () => receiver.bodies.length >= 1, 15_000, 100);
      assert.equal((receiver.bodies[0] as { push_data?: { tag?: string } }).push_data?.tag, 'v1');
      await waitFor('the delivery shows as delivered', async () => {
        await alice.goto(url('/r/alice/app/-/settings'));
        return (await alice.locator('table.deliveries .badge.delivered').count()) > 0;
      }, 15_000, 200);
      await checkAccessibilityAt375(alice, 'repository settings with a delivery');
      await screenshot(alice, 'repository-settings');
      await Promise.all([alice.waitForLoadState('load'), alice.getByRole('button', { name: /^Redeliver delivery/ }).first().click()]);
      assert.match(await notice(alice), /Redelivery #\d+ queued/);
      await waitFor('the redelivery reaches the receiver', async () => receiver.bodies.length >= 2, 15_000, 100);
    }));

  it('bobby signs up, stars and comments', { skip }, () =>
    logged(async () => {
      await bobby.goto(url('/signup'));
      await submitForm(bobby, { Username: 'bobby', Email: 'bobby@example.test', Password: bobbyPassword }, 'Create account');
      await visit(bobby, '/r/alice/app', 'repository page as bobby');
      await Promise.all([bobby.waitForLoadState('load'), bobby.getByRole('button', { name: 'Star' }).click()]);
      assert.match(await bobby.locator('.stars .count').innerText(), /★ 1/);
      await submitForm(bobby, { 'Add a comment': 'Works on my machine — thanks!' }, 'Post comment');
      assert.match(await bobby.locator('.comment').first().innerText(), /bobby[\s\S]*Works on my machine/);
      await checkAccessibilityAt375(bobby, 'repository page with a comment');
    }));

  it('alice makes the repository private: bobby loses it; a read collaborator again, he sees it', { skip }, () =>
    logged(async () => {
      const seesIt = async () => {
        await bobby.goto(url('/search?q=app'));
        const listed = (await bobby.getByRole('link', { name: 'alice/app' }).count()) > 0;
        const direct = (await bobby.goto(url('/r/alice/app')))?.status();
        return { listed, direct };
      };
      await alice.goto(url('/r/alice/app/-/settings'));
      await alice.getByLabel('Private: only those given access').check();
      await Promise.all([alice.waitForLoadState('load'), alice.getByRole('button', { name: 'Save visibility' }).click()]);
      assert.match(await notice(alice), /Now private/);
      assert.deepEqual(await seesIt(), { listed: false, direct: 404 });
      await checkAccessibilityAt375(bobby, 'not-found page');
      await alice.goto(url('/r/alice/app/-/settings'));
      await alice.getByLabel('Username', { exact: true }).fill('bobby');
      await alice.getByLabel('Permission', { exact: true }).selectOption('read');
      await Promise.all([alice.waitForLoadState('load'), alice.getByRole('button', { name: 'Add collaborator' }).click()]);
      assert.match(await notice(alice), /bobby may now read/);
      assert.deepEqual(await seesIt(), { listed: true, direct: 200 });
      await visit(bobby, '/', 'home as bobby');
      await screenshot(bobby, 'home');
    }));

  it('a site admin sees the users and the audit log, filtered', { skip }, () =>
    logged(async () => {
      const admin = await (await newContext(browser)).newPage();
      await admin.goto(url('/login'));
      await submitForm(admin, { Username: 'siteboss', Password: adminPassword }, 'Log in');
      await visit(admin, '/admin', 'admin users page');
      assert.match(await admin.locator('table').innerText(), /alice[\s\S]*bobby/);
      await screenshot(admin, 'admin-users');
      await visit(admin, '/admin/audit?actor=alice&action=collaborator.set', 'audit log');
      assert.match(await admin.locator('table.audit').innerText(), /collaborator\.set\s+alice\/app/);
      assert.doesNotMatch(await admin.locator('table.audit').innerText(), /repository\.create/);
      await screenshot(admin, 'audit-log');
      // Unfiltered, the log holds pushes (targets and details with whole digests): at desktop
      // width every column still fits, none squeezed to a sliver or pushed out of view.
      await visit(admin, '/admin/audit', 'whole audit log');
      await screenshot(admin, 'audit-log-all');
      const fit = (await admin.evaluate(`(() => { const w = document.querySelector('.table-wrap');
        const cells = [...document.querySelectorAll('table.audit thead th')].map((th) => Math.round(th.getBoundingClientRect().width));
        return { overflow: w.scrollWidth - w.clientWidth, narrowest: Math.min(...cells) }; })()`)) as { overflow: number; narrowest: number };
      assert.ok(fit.overflow <= 0, `the audit table scrolls sideways by ${fit.overflow}px at 1280 px`);
      assert.ok(fit.narrowest >= 60, `an audit column is ${fit.narrowest}px wide`);
      await admin.context().close();
    }));
});
