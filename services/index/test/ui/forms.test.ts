// Every form the UI renders, found by walking its pages as the people who see the most of them
// (a repository and organization owner, a site admin, a signed-out visitor): each POST form
// carries the CSRF token, each of their actions refuses a request without it and changes
// nothing, and every `pattern` attribute is one a browser accepts (browsers compile it with the
// `v` flag and silently drop client-side validation when it does not compile).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createPat, createRepo, makeAdmin, password, recordTag, signUp, buildIndex, digestA } from '../api/harness.js';
import { browser, type Browser } from './harness.js';

interface Form {
  page: string;
  action: string;
  content: string;
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

async function formsOf(b: Browser, pages: string[]): Promise<{ forms: Form[]; patterns: string[] }> {
  const forms: Form[] = [];
  const patterns: string[] = [];
  for (const page of pages) {
    const text = (await b.get(page)).text;
    for (const m of text.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)) forms.push({ page, action: unescape(m[1]!), content: m[2]! });
    for (const m of text.matchAll(/\spattern="([^"]*)"/g)) patterns.push(unescape(m[1]!));
  }
  return { forms, patterns };
}

async function world() {
  const index = await buildIndex({ webhooks: { allowPrivateTargets: true } });
  const alice = await signUp(index, 'alice');
  const bob = await signUp(index, 'bobby');
  await createRepo(index, alice, 'alice/web', 'public', 'The web front end');
  recordTag(index, 'alice/web', 'v1', digestA);
  await request(index.app).put('/api/repositories/alice/web/collaborators/bobby').set('Authorization', alice.auth).send({ permission: 'read' }).expect(204);
  await request(index.app).post('/api/repositories/alice/web/comments').set('Authorization', bob.auth).send({ body: 'hi' }).expect(201);
  await request(index.app).post('/api/orgs').set('Authorization', alice.auth).send({ name: 'acme' }).expect(201);
  await createRepo(index, alice, 'acme/api');
  const a = browser(index);
  await a.login('alice', password);
  await a.submit('/n/acme/-/members', { username: 'bobby', role: 'member' }, { from: '/n/acme', status: 303 });
  await a.submit('/n/acme/-/teams', { name: 'devs' }, { from: '/n/acme', status: 303 });
  await a.submit('/n/acme/-/teams/devs/members', { username: 'bobby' }, { from: '/n/acme', status: 303 });
  await a.submit('/n/acme/-/teams/devs/repositories', { repository: 'acme/api', permission: 'write' }, { from: '/n/acme', status: 303 });
  await a.submit('/r/alice/web/-/settings/webhooks', { url: 'http://127.0.0.1:9/hook' }, { from: '/r/alice/web/-/settings', status: 303 });
  const [hook] = index.store.webhooks.forRepository(index.store.repositories.byName('alice/web')!.id);
  index.store.webhooks.insertDelivery(hook!.id, JSON.stringify({ push_data: { tag: 'v1' } }));
  await createPat(index, alice, 'laptop', 'read');
  const admin = await makeAdmin(index);
  const s = browser(index);
  await s.login(admin.username, admin.password);
  return { index, a, s };
}

describe('every form of the UI', () => {
  it('carries the CSRF token; each action refuses a request without it and changes nothing; every pattern compiles', async () => {
    const { index, a, s } = await world();
    const owner = await formsOf(a, ['/', '/search?q=web', '/settings', '/settings/tokens', '/n/alice', '/n/acme', '/orgs/new', '/new', '/r/alice/web', '/r/alice/web/-/tags/v1', '/r/alice/web/-/settings']);
    const admin = await formsOf(s, ['/admin', '/admin/audit']);
    const visitor = await formsOf(browser(index), ['/login', '/signup']);
    const actions = new Set([...owner.forms, ...admin.forms, ...visitor.forms].map((f) => f.action.replace(/\/\d+\//g, '/N/')));
    // The walk reached the forms of every kind of page (so a new page's forms are covered too).
    for (const expected of ['/login', '/signup', '/logout', '/settings/email', '/settings/password', '/settings/tokens', '/settings/tokens/N/revoke', '/orgs/new', '/new',
      '/r/alice/web/-/star', '/r/alice/web/-/comments', '/r/alice/web/-/comments/N/delete', '/r/alice/web/-/settings/description', '/r/alice/web/-/settings/visibility',
      '/r/alice/web/-/settings/collaborators', '/r/alice/web/-/settings/collaborators/bobby/remove', '/r/alice/web/-/settings/webhooks', '/r/alice/web/-/settings/webhooks/N/delete',
      '/r/alice/web/-/settings/delete', '/n/acme/-/members', '/n/acme/-/members/bobby/remove', '/n/acme/-/teams', '/n/acme/-/teams/devs/delete', '/n/acme/-/teams/devs/members',
      '/n/acme/-/teams/devs/members/bobby/remove', '/n/acme/-/teams/devs/repositories', '/n/acme/-/teams/devs/repositories/remove', '/n/acme/-/display-name', '/n/acme/-/delete',
      '/admin/users/alice']) {
      assert.ok(actions.has(expected), `no form posts to ${expected} (found: ${[...actions].join(' ')})`);
    }
    assert.ok([...actions].some((x) => /\/webhooks\/N\/deliveries\/N\/redeliver$/.test(x)), 'the redeliver form');

    const auditBefore = index.store.audit.query({ limit: 1000 }).length;
    const checked = new Set<string>();
    for (const [who, forms] of [[a, owner.forms], [s, admin.forms]] as const) {
      for (const form of forms) {
        assert.match(form.content, /<input type="hidden" name="_csrf" value="[A-Za-z0-9_-]{43}">/, `${form.action} on ${form.page} carries no CSRF token`);
        if (checked.has(form.action)) continue;
        checked.add(form.action);
        // Every other field the form has, with a plausible value, but no token.
        const fields: Record<string, string> = { confirm: form.action.includes('/n/acme') ? 'acme' : 'alice/web' };
        for (const m of form.content.matchAll(/name="([^"]+)"(?: type="hidden")? value="([^"]*)"/g)) if (m[1] !== '_csrf') fields[m[1]!] = unescape(m[2]!);
        const res = await who.agent.post(form.action).type('form').send(fields);
        assert.equal(res.status, 403, `POST ${form.action} without a token: ${res.status}`);
        assert.match(res.text, /Not allowed/);
      }
    }
    for (const form of visitor.forms) {
      const res = await request(index.app).post(form.action).type('form').send({ username: 'alice', password, email: 'x@example.com' });
      assert.equal(res.status, 403, `POST ${form.action} without a token: ${res.status}`);
    }
    assert.equal(index.store.audit.query({ limit: 1000 }).length, auditBefore, 'a refused form changed something');
    assert.ok(index.store.repositories.byName('alice/web') && index.store.namespaces.byName('acme'));
    assert.equal((await a.agent.get('/settings')).status, 200, 'logging out without a token did not end the session');

    const patterns = [...new Set([...owner.patterns, ...admin.patterns, ...visitor.patterns])];
    assert.ok(patterns.length >= 3, `patterns found: ${patterns.join(' ')}`);
    for (const pattern of patterns) assert.doesNotThrow(() => new RegExp(`^(?:${pattern})$`, 'v'), `pattern="${pattern}" does not compile as a browser compiles it`);
  });
});
