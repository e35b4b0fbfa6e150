// The UI's pages against an in-process index: browsing and search with private repositories
// hidden, the repository and tag pages, namespace pages, sign-up, account settings and tokens,
// repository settings, stars and comments, organizations and teams, webhooks and redelivery, and
// site administration. Every action is checked in the database it must have changed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { basic, buildIndex, createRepo, digestA, digestB, makeAdmin, password, recordTag, signUp } from '../api/harness.js';
import { browser } from './harness.js';

async function world() {
  const index = await buildIndex({ webhooks: { allowPrivateTargets: true } });
  const alice = await signUp(index, 'alice');
  const bob = await signUp(index, 'bobby');
  await createRepo(index, alice, 'alice/web', 'public', 'The **web** front end');
  await createRepo(index, alice, 'alice/secret', 'private', 'Hidden things');
  return { index, alice, bob };
}

describe('browsing and search', () => {
  it('lists public repositories to everyone and private ones only to those who may pull them', async () => {
    const { index } = await world();
    const anon = browser(index);
    const home = (await anon.get('/')).text;
    assert.match(home, /alice\/web/);
    assert.doesNotMatch(home, /alice\/secret/);
    assert.doesNotMatch((await anon.get('/search?q=hidden')).text, /alice\/secret/);
    await anon.get('/r/alice/secret', 404);
    // Creating things needs an account: a visitor is not shown forms that can only fail.
    await anon.get('/new', 401);
    await anon.get('/orgs/new', 401);
    const owner = browser(index);
    await owner.login('alice', password);
    assert.match((await owner.get('/search?q=hidden')).text, /alice\/secret/);
    const ns = (await owner.get('/n/alice')).text;
    assert.match(ns, /alice\/secret/);
    assert.match(ns, /New repository/);
    assert.doesNotMatch((await anon.get('/n/alice')).text, /alice\/secret/);
    await anon.get('/n/nobodyhere', 404);
  });

  it('paginates search results', async () => {
    const { index, alice } = await world();
    for (let i = 0; i < 25; i++) await createRepo(index, alice, `alice/many${String(i).padStart(2, '0')}`);
    const b = browser(index);
    const first = (await b.get('/search?q=many')).text;
    assert.match(first, /25 repositories/);
    assert.match(first, /Page 1 of 2/);
    assert.match((await b.get('/search?q=many&page=2')).text, /alice\/many2[0-4]|Page 2 of 2/);
  });
});

describe('the repository page', () => {
  it('shows the rendered description, the pull command and tags newest first with details', async () => {
    const { index } = await world();
    const repo = index.store.repositories.byName('alice/web')!;
    const config = `sha256:${'c'.repeat(64)}`;
    index.store.images.recordManifest(repo.id, {
      digest: digestA, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 500, pushedBy: 'alice', layers: [config, digestB],
      references: [{ mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 300 }, { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digestB, size: 3 * 1024 * 1024 }],
    });
    index.store.images.setTag(repo.id, 'v1', digestA, '2026-01-01T00:00:00.000Z');
    const indexDigest = `sha256:${'d'.repeat(64)}`;
    index.store.images.recordManifest(repo.id, {
      digest: indexDigest, mediaType: 'application/vnd.oci.image.index.v1+json', size: 700, pushedBy: 'alice', layers: [digestA],
      references: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: digestA, size: 500, platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } }, { digest: digestB, platform: { architecture: 'amd64', os: 'linux' } }],
    });
    index.store.images.setTag(repo.id, 'v2', indexDigest, '2026-02-01T00:00:00.000Z');
    const b = browser(index);
    const text = (await b.get('/r/alice/web')).text;
    assert.match(text, /The <strong>web<\/strong> front end/);
    assert.match(text, /docker pull 127\.0\.0\.1:5000\/alice\/web:v2/);
    assert.ok(text.indexOf('>v2<') < text.indexOf('>v1<'), 'newest first');
    assert.match(text, /linux\/arm64\/v8, linux\/amd64/);
    const tag = (await b.get('/r/alice/web/-/tags/v1')).text;
    assert.match(tag, new RegExp(config));
    assert.match(tag, /layer 1/);
    assert.match(tag, /3\.0 MiB/);
    assert.match((await b.get('/r/alice/web/-/tags/v2')).text, /Platforms/);
    await b.get('/r/alice/web/-/tags/nope', 404);
  });

  it('paginates tags', async () => {
    const { index } = await world();
    for (let i = 0; i < 25; i++) recordTag(index, 'alice/web', `t${i}`, `sha256:${String(i).padStart(64, '0')}`);
    const b = browser(index);
    assert.match((await b.get('/r/alice/web')).text, /Page 1 of 2/);
    assert.match((await b.get('/r/alice/web?page=2')).text, /Page 2 of 2/);
  });

  it('stars and comments: star/unstar, post, delete own; a repository admin and a site admin delete any; others cannot', async () => {
    const { index } = await world();
    const bob = browser(index);
    await bob.login('bobby', password);
    await bob.submit('/r/alice/web/-/star', {}, { from: '/r/alice/web', status: 303 });
    assert.equal(index.store.repositories.starCount(index.store.repositories.byName('alice/web')!.id), 1);
    assert.match((await bob.get('/r/alice/web')).text, /Unstar/);
    await bob.submit('/r/alice/web/-/comments', { body: 'Nice image' }, { from: '/r/alice/web', status: 303 });
    await bob.submit('/r/alice/web/-/comments', { body: 'Second thought' }, { from: '/r/alice/web', status: 303 });
    const [first, second] = index.store.repositories.comments(index.store.repositories.byName('alice/web')!.id, 100);
    assert.ok(first && second);
    const carol = await signUp(index, 'carol');
    const c = browser(index);
    await c.login(carol.username, password);
    const page = (await c.get('/r/alice/web')).text;
    assert.doesNotMatch(page, /Delete comment/, 'carol sees no delete buttons');
    await c.submit(`/r/alice/web/-/comments/${first.id}/delete`, {}, { status: 303 });
    assert.match((await c.get('/r/alice/web')).text, /only the author or an admin may delete a comment/);
    await bob.submit(`/r/alice/web/-/comments/${first.id}/delete`, {}, { from: '/r/alice/web', status: 303 });
    const a = browser(index);
    await a.login('alice', password);
    await a.submit(`/r/alice/web/-/comments/${second.id}/delete`, {}, { from: '/r/alice/web', status: 303 });
    assert.equal(index.store.repositories.comments(index.store.repositories.byName('alice/web')!.id, 100).length, 0);
    // A site admin, neither author nor repository admin, deletes any comment too.
    await bob.submit('/r/alice/web/-/comments', { body: 'Spam' }, { from: '/r/alice/web', status: 303 });
    const [spam] = index.store.repositories.comments(index.store.repositories.byName('alice/web')!.id, 100);
    const admin = await makeAdmin(index);
    const s = browser(index);
    await s.login(admin.username, admin.password);
    assert.match((await s.get('/r/alice/web')).text, /Delete comment/);
    await s.submit(`/r/alice/web/-/comments/${spam!.id}/delete`, {}, { from: '/r/alice/web', status: 303 });
    assert.equal(index.store.repositories.comments(index.store.repositories.byName('alice/web')!.id, 100).length, 0);
    await bob.submit('/r/alice/web/-/unstar', {}, { from: '/r/alice/web', status: 303 });
    assert.equal(index.store.repositories.starCount(index.store.repositories.byName('alice/web')!.id), 0);
  });
});

describe('accounts', () => {
  it('signs up (then signed in), refuses taken names with the form again, and honours closed sign-up', async () => {
    const { index } = await world();
    const b = browser(index);
    const res = await b.submit('/signup', { username: 'dave1', email: 'dave@example.com', password }, { from: '/signup', status: 303 });
    assert.equal(res.headers.location, '/settings/tokens');
    assert.ok(index.store.users.byName('dave1'));
    assert.match((await b.get('/settings')).text, /dave@example\.com/);
    const again = browser(index);
    const taken = await again.submit('/signup', { username: 'alice', email: 'x@example.com', password }, { from: '/signup', status: 409 });
    assert.match(taken.text, /the name alice is taken/);
    const closed = await buildIndex({ accounts: { signup: false } });
    const c = browser(closed);
    assert.match((await c.get('/signup')).text, /Sign-up is closed/);
    await c.submit('/signup', { username: 'erin1', email: 'e@example.com', password }, { from: '/login', status: 403 });
    assert.equal(closed.store.users.byName('erin1'), undefined);
  });

  it('creates a token shown once, lists it, revokes it; the token works for the API until revoked', async () => {
    const { index } = await world();
    const b = browser(index);
    await b.login('alice', password);
    // POST/redirect/GET: the page after the redirect shows the secret; a reload shows only the list.
    const posted = await b.submit('/settings/tokens', { name: 'laptop', permission: 'read-write', expires: '2099-12-31' }, { from: '/settings/tokens', status: 303 });
    assert.equal(posted.headers.location, '/settings/tokens');
    const notices = index.store.db.prepare('SELECT notice FROM ui_sessions WHERE notice IS NOT NULL').all() as { notice: string }[];
    assert.equal(notices.length, 1);
    const created = (await b.get('/settings/tokens')).text;
    const secret = /value="(wharf_pat_[A-Za-z0-9_-]{43})"/.exec(created)?.[1];
    assert.ok(secret, 'the secret is on the page');
    assert.match(created, /Token “laptop” created[\s\S]*shown only once/);
    const alice = index.store.users.byName('alice')!;
    assert.doesNotMatch(notices[0]!.notice, new RegExp(secret.slice('wharf_pat_'.length)), 'the stored notice holds the secret sealed');
    const listed = (await b.get('/settings/tokens')).text;
    assert.match(listed, /laptop/);
    assert.doesNotMatch(listed, new RegExp(secret));
    assert.equal(index.store.tokens.accessTokens(alice.id).length, 1, 'one token, however often the page is loaded');
    assert.equal((await request(index.app).get('/api/user').set('Authorization', basic('alice', secret))).status, 200);
    const token = index.store.tokens.accessTokens(index.store.users.byName('alice')!.id)[0]!;
    assert.equal(token.expiresAt, '2099-12-31T23:59:59.000Z');
    await b.submit(`/settings/tokens/${token.id}/revoke`, {}, { from: '/settings/tokens', status: 303 });
    assert.match((await b.get('/settings/tokens')).text, /revoked/);
    assert.equal((await request(index.app).get('/api/user').set('Authorization', basic('alice', secret))).status, 401);
    await b.submit('/settings/tokens', { name: '', permission: 'read' }, { from: '/settings/tokens', status: 303 });
    assert.match((await b.get('/settings/tokens')).text, /token name must be 1 to 100 characters/);
  });

  it('changes the email, and the password only with the current one', async () => {
    const { index } = await world();
    const b = browser(index);
    await b.login('alice', password);
    await b.submit('/settings/email', { email: 'alice@new.example' }, { from: '/settings', status: 303 });
    assert.equal(index.store.users.byName('alice')!.email, 'alice@new.example');
    const wrong = await b.submit('/settings/password', { current: 'not-it-at-all', password: 'another-pass-1', confirm: 'another-pass-1' }, { from: '/settings', status: 401 });
    assert.match(wrong.text, /the current password is wrong/);
    assert.equal((await request(index.app).get('/api/user').set('Authorization', basic('alice', password))).status, 200);
  });
});

describe('repository settings', () => {
  it('owners change description and visibility, manage collaborators and delete with the name typed; others cannot', async () => {
    const { index } = await world();
    const bob = browser(index);
    await bob.login('bobby', password);
    await bob.get('/r/alice/web/-/settings', 403);
    await bob.get('/r/alice/secret/-/settings', 404);
    const a = browser(index);
    await a.login('alice', password);
    const settings = '/r/alice/secret/-/settings';
    await a.submit(`${settings}/description`, { description: 'Now *described*' }, { from: settings, status: 303 });
    await a.submit(`${settings}/collaborators`, { username: 'bobby', permission: 'read' }, { from: settings, status: 303 });
    assert.match((await bob.get('/r/alice/secret')).text, /Now <em>described<\/em>/);
    await a.submit(`${settings}/collaborators/bobby/remove`, {}, { from: settings, status: 303 });
    await bob.get('/r/alice/secret', 404);
    await a.submit(`${settings}/visibility`, { visibility: 'public' }, { from: settings, status: 303 });
    assert.equal(index.store.repositories.byName('alice/secret')!.visibility, 'public');
    await a.submit(`${settings}/collaborators`, { username: 'nobody1', permission: 'read' }, { from: settings, status: 303 });
    assert.match((await a.get(settings)).text, /no such user: nobody1/);
    await a.submit(`${settings}/delete`, { confirm: 'alice/wrong' }, { from: settings, status: 303 });
    assert.ok(index.store.repositories.byName('alice/secret'));
    const gone = await a.submit(`${settings}/delete`, { confirm: 'alice/secret' }, { from: settings, status: 303 });
    assert.equal(gone.headers.location, '/n/alice');
    assert.equal(index.store.repositories.byName('alice/secret'), undefined);
    assert.equal(index.store.audit.query({ action: 'repository.delete' })[0]?.actor, 'alice');
  });

  it('webhooks: add, see deliveries, redeliver one, delete', async () => {
    const { index } = await world();
    const a = browser(index);
    await a.login('alice', password);
    const settings = '/r/alice/web/-/settings';
    await a.submit(`${settings}/webhooks`, { url: 'http://127.0.0.1:9/hook' }, { from: settings, status: 303 });
    const [hook] = index.store.webhooks.forRepository(index.store.repositories.byName('alice/web')!.id);
    assert.ok(hook);
    const delivery = index.store.webhooks.insertDelivery(hook.id, JSON.stringify({ push_data: { tag: 'v1' } }));
    assert.match((await a.get(settings)).text, new RegExp(`#${delivery.id}`));
    await a.submit(`${settings}/webhooks/${hook.id}/deliveries/${delivery.id}/redeliver`, {}, { from: settings, status: 303 });
    assert.equal(index.store.webhooks.deliveries(hook.id).length, 2);
    await a.submit(`${settings}/webhooks/${hook.id}/delete`, {}, { from: settings, status: 303 });
    assert.equal(index.store.webhooks.byId(hook.id), undefined);
  });

  it('creates a repository from the new-repository form', async () => {
    const { index } = await world();
    const a = browser(index);
    await a.login('alice', password);
    const res = await a.submit('/new', { namespace: 'alice', name: 'fresh', visibility: 'private', description: 'new one' }, { from: '/new', status: 303 });
    assert.equal(res.headers.location, '/r/alice/fresh');
    assert.equal(index.store.repositories.byName('alice/fresh')?.visibility, 'private');
  });
});

describe('organizations', () => {
  it('create, members and roles, teams with members and repository permissions, delete', async () => {
    const { index } = await world();
    const a = browser(index);
    await a.login('alice', password);
    const res = await a.submit('/orgs/new', { name: 'acme', displayName: 'Acme Inc.' }, { from: '/orgs/new', status: 303 });
    assert.equal(res.headers.location, '/n/acme');
    await createRepo(index, { username: 'alice', password, auth: basic('alice', password) }, 'acme/api', 'private');
    await a.submit('/n/acme/-/members', { username: 'bobby', role: 'member' }, { from: '/n/acme', status: 303 });
    await a.submit('/n/acme/-/teams', { name: 'devs' }, { from: '/n/acme', status: 303 });
    await a.submit('/n/acme/-/teams/devs/members', { username: 'bobby' }, { from: '/n/acme', status: 303 });
    await a.submit('/n/acme/-/teams/devs/repositories', { repository: 'acme/api', permission: 'write' }, { from: '/n/acme', status: 303 });
    const b = browser(index);
    await b.login('bobby', password);
    const bobView = (await b.get('/n/acme')).text;
    assert.match(bobView, /acme\/api/);
    assert.match(bobView, /devs/);
    assert.doesNotMatch(bobView, /Create team/, 'members see teams, not the forms');
    await b.get('/r/acme/api');
    await b.submit('/n/acme/-/teams', { name: 'mine' }, { from: '/n/acme', status: 303 });
    assert.match((await b.get('/n/acme')).text, /only owners of acme may do this/);
    await a.submit('/n/acme/-/members', { username: 'bobby', role: 'owner' }, { from: '/n/acme', status: 303 });
    assert.equal(index.store.namespaces.role(index.store.namespaces.byName('acme')!.id, index.store.users.byName('bobby')!.id), 'owner');
    await a.submit('/n/acme/-/teams/devs/repositories/remove', { repository: 'acme/api' }, { from: '/n/acme', status: 303 });
    await a.submit('/n/acme/-/teams/devs/members/bobby/remove', {}, { from: '/n/acme', status: 303 });
    await a.submit('/n/acme/-/teams/devs/delete', {}, { from: '/n/acme', status: 303 });
    await a.submit('/n/acme/-/display-name', { displayName: 'ACME' }, { from: '/n/acme', status: 303 });
    assert.equal(index.store.namespaces.byName('acme')!.displayName, 'ACME');
    await a.submit('/n/acme/-/members/bobby/remove', {}, { from: '/n/acme', status: 303 });
    await a.submit('/n/acme/-/delete', { confirm: 'acme' }, { from: '/n/acme', status: 303 });
    assert.equal(index.store.namespaces.byName('acme'), undefined);
  });
});

describe('site administration', () => {
  it('admins list users, make admins, disable and read the filtered audit log; others get 403', async () => {
    const { index } = await world();
    const admin = await makeAdmin(index);
    const b = browser(index);
    await b.login('bobby', password);
    await b.get('/admin', 403);
    await b.get('/admin/audit', 403);
    const a = browser(index);
    await a.login(admin.username, admin.password);
    assert.match((await a.get('/admin')).text, /bobby/);
    await a.submit('/admin/users/bobby', { isAdmin: 'true' }, { from: '/admin', status: 303 });
    assert.equal(index.store.users.byName('bobby')!.isAdmin, true);
    const audit = (await a.get('/admin/audit?actor=siteadmin&action=user.update')).text;
    assert.match(audit, /user\.update/);
    assert.doesNotMatch(audit, /repository\.create/);
    assert.match((await a.get('/admin/audit?action=repository.create')).text, /alice\/web/);
    await a.get('/admin/audit?before=abc', 400);
  });
});
