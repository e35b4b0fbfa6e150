// A refused form comes back with what was typed in it (once, with the refusal's message), so a
// long description or comment is not lost to a typo in another field; passwords and the CSRF
// token are never kept, and another form on the same page stays empty.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keptForm } from '../../src/ui/respond.js';
import { buildIndex, createRepo, password, signUp } from '../api/harness.js';
import { browser } from './harness.js';

const description = 'A long description with **Markdown** & <angle brackets>, typed with care.';

describe('refused forms keep their input', () => {
  it('the new-repository form shows its name, description and visibility again, once', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    const b = browser(index);
    await b.login('alice', password);
    const res = await b.submit('/new', { namespace: 'alice', name: 'Not A Valid Name', description, visibility: 'private' }, { from: '/new', status: 303 });
    assert.equal(res.headers.location, '/new');
    const again = (await b.get('/new')).text;
    assert.match(again, /class="notice error"/);
    assert.match(again, /id="repo-name"[^>]*value="Not A Valid Name"/);
    assert.ok(again.includes('>A long description with **Markdown** &amp; &lt;angle brackets&gt;, typed with care.</textarea>'), 'the description, escaped');
    assert.match(again, /value="private" checked/);
    assert.doesNotMatch(again, /value="public" checked/);
    // One-shot, like the notice: the next visit starts empty.
    const fresh = (await b.get('/new')).text;
    assert.match(fresh, /id="repo-name"[^>]*value=""/);
    assert.match(fresh, /value="public" checked/);
  });

  it('a refused comment keeps its text; the settings forms keep theirs and only theirs', async () => {
    const index = await buildIndex();
    const alice = await signUp(index, 'alice');
    await createRepo(index, alice, 'alice/app', 'public', 'the old description');
    const b = browser(index);
    await b.login('alice', password);

    // Whitespace only is no comment: refused, and the text comes back to be fixed.
    await b.submit('/r/alice/app/-/comments', { body: '   \n  ' }, { from: '/r/alice/app', status: 303 });
    assert.match((await b.get('/r/alice/app')).text, /<textarea id="comment-body"[^>]*>   \n  <\/textarea>/);

    await b.submit('/r/alice/app/-/settings/collaborators', { username: 'nobody-here', permission: 'admin' }, { from: '/r/alice/app/-/settings', status: 303 });
    const settings = (await b.get('/r/alice/app/-/settings')).text;
    assert.match(settings, /class="notice error"/);
    assert.match(settings, /id="collab-user"[^>]*value="nobody-here"/);
    assert.match(settings, /<option value="admin" selected>/);
    // The description form on the same page was not the one refused: it shows the stored text.
    assert.match(settings, /<textarea id="description"[^>]*>the old description<\/textarea>/);
    assert.match(settings, /id="hook-url"[^>]*value=""/);
  });

  it('never keeps a password, a confirmation or the CSRF token, nor input too large for the session', () => {
    const req = (body: Record<string, unknown>, originalUrl = '/settings') => ({ body, originalUrl }) as unknown as Parameters<typeof keptForm>[0];
    assert.deepEqual(keptForm(req({ _csrf: 't', email: 'a@b.c', password: 'secret-1', currentPassword: 'secret-0', confirm: 'alice/app', list: ['x'] })), {
      action: '/settings',
      fields: { email: 'a@b.c' },
    });
    assert.equal(keptForm(req({ _csrf: 't', password: 'only-a-secret' })), undefined);
    assert.equal(keptForm(req({ description: 'x'.repeat(20_000) })), undefined);
    assert.deepEqual(keptForm(req({ url: 'http://x' }, '/r/a/b/-/settings/webhooks?x=1'))?.action, '/r/a/b/-/settings/webhooks');
  });

  it('a notice whose kept form is malformed is shown without it', async () => {
    const index = await buildIndex();
    await signUp(index, 'alice');
    const b = browser(index);
    await b.login('alice', password);
    const session = index.store.db.prepare('SELECT id_hash FROM ui_sessions').get() as { id_hash: string };
    index.store.db.prepare('UPDATE ui_sessions SET notice = ? WHERE id_hash = ?').run(JSON.stringify({ kind: 'error', text: 'refused', form: { action: '/new', fields: { name: 42 } } }), session.id_hash);
    const page = (await b.get('/new')).text;
    assert.match(page, /refused/);
    assert.match(page, /id="repo-name"[^>]*value=""/);
  });
});
