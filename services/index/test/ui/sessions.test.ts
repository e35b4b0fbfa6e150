// UI sessions and their protections: the cookie's flags, server-side logout, CSRF on every form,
// the Content-Security-Policy, login rate limits shared with the API, and sessions that end when
// the password changes or an admin disables the account.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { authenticate } from '../../src/accounts/accounts.js';
import { buildIndex, createPat, makeAdmin, password, signUp } from '../api/harness.js';
import { browser, csrfOf } from './harness.js';

function sessionCookie(setCookie: string[] | string | undefined): string {
  const cookie = ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith('wharf_session='));
  assert.ok(cookie, `no session cookie in ${JSON.stringify(setCookie)}`);
  return cookie;
}

describe('UI sessions', () => {
  it('logs in with a password: an HttpOnly, SameSite=Lax cookie, not Secure over plain HTTP, stored hashed', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    const b = browser(index);
    const res = await b.login('alice', password);
    const cookie = sessionCookie(res.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.doesNotMatch(cookie, /Secure/);
    const id = /^wharf_session=([^;]+)/.exec(cookie)![1]!;
    const rows = index.store.db.prepare('SELECT id_hash FROM ui_sessions').all() as { id_hash: string }[];
    assert.equal(rows.length, 1);
    assert.notEqual(rows[0]!.id_hash, id, 'the raw id is never stored');
    assert.match((await b.get('/settings')).text, /alice@example\.com/);
  });

  it('marks the cookie Secure when the browser came over TLS (a trusted proxy says https)', async () => {
    const index = await buildIndex({ http: { trustProxy: 1 } });
    await signUp(index, 'alice');
    const page = await request(index.app).get('/login').set('X-Forwarded-Proto', 'https');
    const csrfCookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]).join('; ');
    const res = await request(index.app).post('/login').set('X-Forwarded-Proto', 'https').set('Cookie', csrfCookie).type('form')
      .send({ _csrf: csrfOf(page.text), username: 'alice', password });
    assert.equal(res.status, 303);
    assert.match(sessionCookie(res.headers['set-cookie']), /; Secure/);
  });

  it('behind a TLS proxy named by the public URL, the pre-session CSRF cookie is Secure as well', async () => {
    const index = await buildIndex({ http: { publicUrl: 'https://hub.example.com' } });
    const page = await request(index.app).get('/login');
    const csrfCookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((c) => c.startsWith('wharf_csrf='));
    assert.ok(csrfCookie);
    assert.match(csrfCookie, /; Secure/);
    assert.match(csrfCookie, /HttpOnly/);
  });

  it('logging in issues a new session id: one planted in the browser beforehand (fixation) is ended, not adopted', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    await signUp(index, 'mallory');
    // Mallory's own session id, planted in alice's browser (say by a sibling subdomain).
    const mallory = browser(index);
    const planted = sessionCookie((await mallory.login('mallory', password)).headers['set-cookie']).split(';')[0]!;
    const victim = browser(index);
    // Its form token is the planted session's (the login page itself redirects a signed-in browser).
    const token = csrfOf((await victim.agent.get('/').set('Cookie', planted)).text);
    const res = await victim.agent.post('/login').set('Cookie', planted).type('form').send({ _csrf: token, username: 'alice', password });
    assert.equal(res.status, 303);
    const issued = sessionCookie(res.headers['set-cookie']).split(';')[0]!;
    assert.notEqual(issued, planted);
    assert.equal((await request(index.app).get('/settings').set('Cookie', planted)).status, 401, 'the planted id no longer works');
    assert.match((await request(index.app).get('/settings').set('Cookie', issued)).text, /alice@example\.com/);
  });

  it('refuses a wrong password (401, the form again) and personal access tokens as passwords', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    const pat = await createPat(index, alice, 'ci', 'read-write-delete');
    const b = browser(index);
    for (const secret of ['wrong-password', pat]) {
      const res = await b.submit('/login', { username: 'alice', password: secret }, { from: '/login', status: 401 });
      assert.match(res.text, /Wrong username or password/);
      assert.equal(String(res.headers['set-cookie'] ?? '').includes('wharf_session='), false);
    }
    assert.equal(index.store.audit.query({ action: 'ui.login' }).filter((e) => e.outcome === 'denied').length, 2);
  });

  it('logging out deletes the session on the server: the old cookie no longer works', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    const b = browser(index);
    const cookie = sessionCookie((await b.login('alice', password)).headers['set-cookie']).split(';')[0]!;
    assert.equal((await request(index.app).get('/settings').set('Cookie', cookie)).status, 200);
    await b.submit('/logout', {}, { from: '/', status: 303 });
    assert.equal((index.store.db.prepare('SELECT COUNT(*) AS n FROM ui_sessions').get() as { n: number }).n, 0);
    const replay = await request(index.app).get('/settings').set('Cookie', cookie);
    assert.equal(replay.status, 401);
    assert.match(replay.text, /Log in/);
  });

  it('refuses state-changing forms without the CSRF token, with another session\'s token, or from another origin', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    await signUp(index, 'bobby');
    const alice = browser(index);
    await alice.login('alice', password);
    const bob = browser(index);
    await bob.login('bobby', password);
    const bobToken = csrfOf((await bob.get('/settings')).text);
    const aliceToken = csrfOf((await alice.get('/settings')).text);
    const attempts = [
      alice.agent.post('/settings/email').type('form').send({ email: 'evil@example.com' }),
      alice.agent.post('/settings/email').type('form').send({ _csrf: bobToken, email: 'evil@example.com' }),
      alice.agent.post('/settings/email').set('Origin', 'http://evil.example').type('form').send({ _csrf: aliceToken, email: 'evil@example.com' }),
      // Logging in needs the pre-session token as well (no login CSRF).
      request(index.app).post('/login').type('form').send({ username: 'bobby', password }),
    ];
    for (const attempt of attempts) {
      const res = await attempt;
      assert.equal(res.status, 403, res.text.slice(0, 500));
      assert.match(res.text, /Not allowed/);
    }
    assert.equal(index.store.users.byName('alice')!.email, 'alice@example.com');
    const ok = await alice.agent.post('/settings/email').type('form').send({ _csrf: aliceToken, email: 'new@example.com' });
    assert.equal(ok.status, 303);
    assert.equal(index.store.users.byName('alice')!.email, 'new@example.com');
  });

  it('accepts a form whose Origin is the configured public URL (a proxy in front may rewrite Host)', async () => {
    const index = await buildIndex({ http: { publicUrl: 'http://hub.example.com:8080' } });
    await signUp(index, 'alice');
    const b = browser(index);
    await b.login('alice', password);
    const token = csrfOf((await b.get('/settings')).text);
    const ok = await b.agent.post('/settings/email').set('Origin', 'http://hub.example.com:8080').type('form').send({ _csrf: token, email: 'proxied@example.com' });
    assert.equal(ok.status, 303);
    assert.equal(index.store.users.byName('alice')!.email, 'proxied@example.com');
  });

  it('sends a strict Content-Security-Policy and no inline script on any page', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    const b = browser(index);
    await b.login('alice', password);
    for (const path of ['/', '/search?q=x', '/login', '/signup', '/settings', '/settings/tokens', '/n/alice', '/orgs/new', '/new', '/r/nobody/nothing']) {
      const res = await b.agent.get(path);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /script-src 'self'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-frame-options'], 'DENY', path);
      assert.equal(res.headers['referrer-policy'], 'same-origin', path);
      assert.equal(res.headers['cache-control'], 'no-store', path);
      assert.doesNotMatch(res.text, /<script(?![^>]*\bsrc="\/static\/ui\.js")/, `${path} has an inline script`);
      assert.doesNotMatch(res.text, /\son[a-z]+=/i, `${path} has an inline event handler`);
      assert.doesNotMatch(res.text, /style="/, `${path} has an inline style`);
      // An icon of its own, so browsers do not guess /favicon.ico (a JSON 404 of the API).
      if (res.status !== 303) assert.match(res.text, /<link rel="icon" href="data:,">/, path);
    }
  });

  it('rate-limits failed logins per (account, address) with the API\'s limits, shared with /token', async () => {
    const index = await buildIndex({ http: { trustProxy: 1 }, rateLimit: { window: '1m', perAddress: 100, failedPerAccount: 2 } });
    await signUp(index, 'alice');
    const b = browser(index);
    await b.get('/login');
    const token = csrfOf((await b.get('/login')).text);
    const attempt = (pw: string, from = '10.0.0.1') => b.agent.post('/login').set('X-Forwarded-For', from).type('form').send({ _csrf: token, username: 'alice', password: pw });
    assert.equal((await attempt('wrong-one')).status, 401);
    assert.equal((await attempt('wrong-two')).status, 401);
    const limited = await attempt(password);
    assert.equal(limited.status, 429);
    assert.match(limited.text, /Too many requests/);
    assert.ok(limited.headers['retry-after']);
    assert.equal((await attempt(password, '10.0.0.2')).status, 303, 'another address is not blocked');
  });

  it('guessing the current password on the password form counts as failed logins of the account, under the same limits', async () => {
    const index = await buildIndex({ rateLimit: { window: '1m', perAddress: 100, failedPerAccount: 2 } });
    await signUp(index, 'alice');
    const b = browser(index);
    await b.login('alice', password);
    const change = (current: string) => b.submit('/settings/password', { current, password: 'taken-over-1', confirm: 'taken-over-1' }, { from: '/settings' });
    assert.equal((await change('guess-one')).status, 401);
    assert.equal((await change('guess-two')).status, 401);
    const limited = await change(password);
    assert.equal(limited.status, 429);
    assert.match(limited.text, /Too many requests/);
    assert.ok(await authenticate(index.store, 'alice', password), 'the password is unchanged');
    assert.equal(index.store.audit.query({ action: 'ui.password-check' }).filter((e) => e.outcome === 'denied').length, 2);
  });

  it('a password change ends the other sessions; disabling an account ends all of its sessions', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    const admin = await makeAdmin(index);
    const laptop = browser(index);
    await laptop.login('alice', password);
    const phone = browser(index);
    await phone.login('alice', password);
    await laptop.submit('/settings/password', { current: password, password: 'new-password-1', confirm: 'new-password-1' }, { from: '/settings', status: 303 });
    assert.equal((await laptop.agent.get('/settings')).status, 200, 'the session that changed it goes on');
    assert.equal((await phone.agent.get('/settings')).status, 401, 'the other session ended');
    const adminBrowser = browser(index);
    await adminBrowser.login(admin.username, admin.password);
    await adminBrowser.submit('/admin/users/alice', { disabled: 'true' }, { from: '/admin', status: 303 });
    assert.equal(index.store.users.byName('alice')!.disabled, true);
    assert.equal((await laptop.agent.get('/settings')).status, 401);
    assert.equal((await browser(index).submit('/login', { username: 'alice', password: 'new-password-1' }, { from: '/login' })).status, 401);
  });

  it('sends people back only to local pages after logging in', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    for (const [next, expected] of [['/n/alice', '/n/alice'], ['//evil.example/', '/'], ['https://evil.example/', '/'], ['/\\evil.example', '/']] as const) {
      const b = browser(index);
      const res = await b.submit('/login', { username: 'alice', password, next }, { from: '/login', status: 303 });
      assert.equal(res.headers.location, expected);
    }
  });
});
